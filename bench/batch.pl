#!/usr/bin/perl

# faas_batch against its targets (issue 12), a measuring tool, not a test:
#
#   1. a batch of 4 jobs of ~10 ms on 2 render workers answers in about
#      the time of 2 jobs, not 4;
#   2. the batch path adds at most 0.2 ms per job over rendering the same
#      jobs one by one through the render pool;
#   3. what a faas_batch_cache hit costs next to a render.
#
#   bench/batch.pl [MODULE] [NGINX]      (make -C bench batch)
#
# Starts its own nginx (4 workers, 2 render workers, a unix render socket)
# on BATCH_PORT (18130) under bench/work/batch, sends every request on a
# new connection from this process, one at a time, and prints medians and
# p90 (ms) with the load average before and after: the machine may be
# shared, read the figures with it.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use FindBin;

my $here = abs_path($FindBin::Bin);
my $module = abs_path($ARGV[0] // "$here/../build/ngx_faas_module.so");
my $nginx = $ARGV[1] // '/usr/sbin/nginx';
my $port = $ENV{BATCH_PORT} // 18130;
my $n = $ENV{BATCH_N} // 200;
my $root = "$here/work/batch";

remove_tree($root);
make_path("$root/logs", "$root/fn");

sub write_file {
    my ($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
}

# ~10 ms of CPU, and a tiny one
write_file("$root/fn/Ten.js", <<'JS');
module.exports = function (ctx) {
    var start = Date.now(), x = 0;
    while (Date.now() - start < 10) { x++; }
    return '<p>' + ctx.body.data.n + '</p>';
};
JS
write_file("$root/fn/Tiny.js", <<'JS');
module.exports = function (ctx) { return '<p>' + ctx.body.data.n + '</p>'; };
JS

my $user = $> == 0 ? "user root;\n" : '';

write_file("$root/nginx.conf", <<"CONF");
${user}load_module $module;
worker_processes 4;
faas_render_workers 2;
error_log $root/logs/error.log warn;
pid $root/logs/nginx.pid;
events { worker_connections 1024; }
http {
    client_body_temp_path $root/logs/body;
    proxy_temp_path $root/logs/proxy;
    access_log off;
    faas_functions $root/fn;
    faas_preload Ten Tiny;

    upstream render { server unix:$root/render.sock; }

    server {
        listen 127.0.0.1:$port;

        location = /batch { faas_batch /_job/; }
        location = /cached { faas_batch /_job/; faas_batch_cache bench:1m; }

        location = /status { faas_status; }

        location /_job/ {
            internal;
            faas_admit budget=10s;
            proxy_pass http://render/;
        }

        # the same jobs one by one through the pool, as a page would
        # render them without a batch
        location /render/ {
            faas_admit budget=10s;
            proxy_pass http://render/;
        }
    }

    server {
        listen unix:$root/render.sock backlog=128;
        faas_render on;
        location ~ ^/(?<fn>\\w+)\$ { faas_pass \$fn; }
    }
}
CONF

system("$nginx -p $root/ -c $root/nginx.conf") == 0 or die "nginx did not start\n";
sleep 1;

sub post {
    my ($path, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 5) or die "connect: $!";
    print $s "POST $path HTTP/1.1\r\nHost: b\r\nConnection: close\r\n"
             . "Content-Type: application/json\r\n"
             . "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $res = <$s> // '';
    die "$path: $res\n" unless $res =~ m{^HTTP/1\.1 200};
    return $res;
}

sub post_get {
    my ($path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 5) or die "connect: $!";
    print $s "GET $path HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
    local $/;
    return <$s> // '';
}

sub jobs {
    my ($name, $k, $salt) = @_;
    return '{' . join(',', map { qq{"j$_":{"name":"$name","data":{"n":"$salt-$_"}}} } 1 .. $k) . '}';
}

sub job { my ($name, $salt) = @_; qq{{"name":"$name","data":{"n":"$salt"}}} }

# median and p90 of $n runs of $code, in ms
sub measure {
    my ($code) = @_;
    $code->($_) for 1 .. 10;        # warm up
    my @t;
    for my $i (1 .. $n) {
        my $t0 = time;
        $code->($i);
        push @t, (time - $t0) * 1000;
    }
    @t = sort { $a <=> $b } @t;
    return ($t[int(@t / 2)], $t[int(@t * 0.9)]);
}

sub loadavg { open my $f, '<', '/proc/loadavg'; my $l = <$f>; (split ' ', $l)[0 .. 2] }

my @load0 = loadavg();
my %r;

# 1. 4 jobs of 10 ms on 2 render workers

$r{ten1} = [ measure(sub { post('/batch', jobs('Ten', 1, 'a')) }) ];
$r{ten4} = [ measure(sub { post('/batch', jobs('Ten', 4, 'a')) }) ];
$r{ten4seq} = [ measure(sub { post('/render/Ten', job('Ten', 'a')) for 1 .. 4 }) ];

# 2. the batch path's cost per job: tiny jobs, batch against one by one

for my $k (1, 8) {
    $r{"tiny$k"} = [ measure(sub { post('/batch', jobs('Tiny', $k, 'b')) }) ];
    $r{"tiny${k}seq"} = [ measure(sub { post('/render/Tiny', job('Tiny', 'b')) for 1 .. $k }) ];
}

# 3. a cache hit against a render (a miss: data never seen before)

$r{miss} = [ measure(sub { post('/cached', jobs('Ten', 1, "m$_[0]-" . time)) }) ];
post('/cached', jobs('Ten', 1, 'hit'));
$r{hit} = [ measure(sub { post('/cached', jobs('Ten', 1, 'hit')) }) ];
$r{hittiny} = [ measure(sub { post('/cached', jobs('Tiny', 1, 'hit')) }) ];

# 2b. the front's CPU per job (the render workers do the same work either
# way): its workers' utime + stime over many jobs, batches of 8 against
# one by one

sub front_cpu {
    my $st = post_get('/status');
    my @pids = $st =~ /"pid":(\d+),"render":false/g;
    my $t = 0;
    for my $pid (@pids) {
        open my $f, '<', "/proc/$pid/stat" or next;
        my @f = split ' ', scalar <$f>;
        $t += $f[13] + $f[14];
    }
    return $t * 1000 / 100;      # ms, at 100 ticks a second
}

my $jobs = $ENV{BATCH_CPU_JOBS} // 4000;
my $c0 = front_cpu();
post('/batch', jobs('Tiny', 8, 'c')) for 1 .. $jobs / 8;
my $c1 = front_cpu();
post('/render/Tiny', job('Tiny', 'c')) for 1 .. $jobs;
my $c2 = front_cpu();
$r{cpubatch} = ($c1 - $c0) / $jobs;
$r{cpudirect} = ($c2 - $c1) / $jobs;

my @load1 = loadavg();

system("$nginx -p $root/ -c $root/nginx.conf -s stop");

my $f = sub { sprintf "%.2f ms (p90 %.2f)", @{ $r{$_[0]} } };

print "load average before: @load0, after: @load1 (2 cores, shared)\n";
print "requests: $n per figure, one at a time, a new connection each\n\n";
print "1. 10 ms jobs on 2 render workers\n";
print "   batch of 1:                 ", $f->('ten1'), "\n";
print "   batch of 4:                 ", $f->('ten4'), "\n";
print "   4 one by one through pool:  ", $f->('ten4seq'), "\n";
printf "   batch of 4 / batch of 1:    %.2f (2.0 = two rounds of two)\n",
       $r{ten4}[0] / $r{ten1}[0];
print "2. tiny jobs: batch against one by one through the pool\n";
for my $k (1, 8) {
    print "   batch of $k:                 ", $f->("tiny$k"), "\n";
    print "   $k one by one:               ", $f->("tiny${k}seq"), "\n";
}
printf "   batch of 1 - 1 direct:      %+.3f ms per job\n",
       $r{tiny1}[0] - $r{tiny1seq}[0];
printf "   batch of 8 - 8 direct:      %+.3f ms per job (the batch runs them in parallel)\n",
       ($r{tiny8}[0] - $r{tiny8seq}[0]) / 8;
printf "   front CPU per job, batches of 8:  %.3f ms\n", $r{cpubatch};
printf "   front CPU per job, one by one:    %.3f ms\n", $r{cpudirect};
printf "   difference:                       %+.3f ms per job\n",
       $r{cpubatch} - $r{cpudirect};
print "3. faas_batch_cache, a batch of 1\n";
print "   miss (render 10 ms):        ", $f->('miss'), "\n";
print "   hit:                        ", $f->('hit'), "\n";
print "   hit, tiny component:        ", $f->('hittiny'), "\n";
printf "   hit / miss:                 %.3f\n", $r{hit}[0] / $r{miss}[0];
