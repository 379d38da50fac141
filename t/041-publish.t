# vi:filetype=perl

# tools/faas-publish under a running nginx with traffic: a publish, a
# publish that nginx -t refuses, a publish whose probe fails (rolled back
# on its own), --rollback, a canary and --promote; no request of the
# traffic running through all of it fails, and old versions are pruned
# down to --keep.
#
# Drives nginx itself: TEST_NGINX_BINARY, TEST_NGINX_LOAD_MODULES,
# TEST_NGINX_SERVER_PORT (+3 is used). The sources are built with
# tools/faas-build, as faas-publish does by default.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get start_nginx stop_nginx);
use POSIX qw(_exit);
use Time::HiRes qw(sleep time);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 3;
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');
my $root = abs_path('t') . '/servroot-publish';
my $dir = "$root/faas";
my $publish = abs_path('tools/faas-publish');

remove_tree($root);
make_path("$root/logs", $dir);

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/nginx.conf", <<"CONF");
$user$load
worker_processes 2;
daemon on;
master_process on;
error_log $root/logs/error.log notice;
pid $root/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $root/logs/body;
    server {
        listen 127.0.0.1:$port;
        faas_functions $dir/current;
        faas_preload hello health;
        location = /hello { faas_pass hello; }
        location = /health { faas_pass health; }
        location = /canary/hello {
            faas_functions $dir/canary;
            faas_pass hello;
        }
    }
}
CONF

# a source tree answering its version; $health is the health function
sub source {
    my ($name, $hello, $health) = @_;
    my $src = "$root/src/$name";
    make_path($src);
    write_file("$src/hello.js", $hello);
    $health //= "module.exports = function () { return 'ok'; };\n";
    write_file("$src/health.js", $health) if $health ne '';
    return $src;
}

sub hello {
    return "module.exports = function () { return '$_[0]'; };\n";
}

sub run_publish {
    my $cmd = "$publish --dir $dir --nginx $nginx --conf $root/nginx.conf "
              . "--probe http://127.0.0.1:$port/health --keep 2 @_";
    my $out = `$cmd 2>&1`;
    return ($? == 0, $out);
}

sub current {
    return readlink("$dir/$_[0]") // '';
}

sub versions {
    return scalar(() = glob "$dir/releases/*");
}

my ($ok, $out);

# the first version, published before nginx runs: the link is made,
# there is nothing to reload
($ok, $out) = run_publish(source('v1', hello('v1')));
ok($ok, 'a first publish without nginx running') or diag($out);
like($out, qr/not running/, 'says that nothing was reloaded');
is(current('canary'), current('current'),
   'the first version is the canary\'s too');
my $v1 = current('current');

my ($master, $why) = start_nginx(nginx => $nginx, prefix => "$root/",
                                 conf => "$root/nginx.conf",
                                 pid => "$root/logs/nginx.pid");
ok($master, 'nginx starts on the published version') or BAIL_OUT($why);

END { stop_nginx($master) if $master; }

sub wait_for {
    my ($path, $want) = @_;
    my $body = '';
    for (1 .. 50) {
        (undef, $body) = http_get($port, $path);
        return $body if $body eq $want;
        sleep 0.1;
    }
    return $body;
}

is(wait_for('/hello', 'v1'), 'v1', 'v1 is served');


# traffic, until told to stop (bounded: 60 s at most): one connection per
# request, counting answers other than 200 v1..v9
my $stop = "$root/traffic.stop";
my $tally = "$root/traffic.out";
my $child = fork // die "fork: $!";

if ($child == 0) {
    my ($n, $failed, %seen) = (0, 0);
    my $deadline = time + 60;
    while (!-e $stop && time < $deadline) {
        my ($code, $body) = http_get($port, '/hello');
        $n++;
        if ($code == 200 && $body =~ /^v\d$/) {
            $seen{$body}++;
        } else {
            $failed++;
            warn "traffic: $code $body\n";
        }
    }
    write_file($tally, "$n $failed " . join(',', sort keys %seen) . "\n");
    _exit(0);
}

sub settle {
    sleep 0.3;
}


# a new version: built, checked, switched, reloaded, probed
my $before = current('current');
($ok, $out) = run_publish(source('v2', hello('v2')));
ok($ok, 'publish v2') or diag($out);
isnt(current('current'), $before, 'current points to a new version');
like(current('current'), qr{^releases/\d{8}-\d{6}(-\d+)?$},
     'a relative link to a versioned directory');
is(wait_for('/hello', 'v2'), 'v2', 'v2 is served after the publish');
ok(-f "$dir/" . current('current') . '/hello.js', 'the version is built');
settle();

# nginx -t refuses a version without a preloaded function: nothing is
# reloaded, the link stays
$before = current('current');
($ok, $out) = run_publish(source('bad', hello('v5'), ''));
ok(!$ok, 'a publish that nginx -t refuses fails');
like($out, qr/nginx -t failed/, 'and says so');
like($out, qr/health/, 'with nginx\'s message naming the function');
is(current('current'), $before, 'the link stays on v2');
is(versions(), 2, 'the refused version is removed');
is(wait_for('/hello', 'v2'), 'v2', 'v2 is still served');

# a source that does not build: nothing is switched, nothing is left
($ok, $out) = run_publish(source('broken', "module.exports = function ( {\n"));
ok(!$ok, 'a publish whose build fails fails');
like($out, qr/the build failed/, 'and says so');
is(current('current'), $before, 'the link stays on v2');
is(versions(), 2, 'no version is left of it');
ok(!glob("$dir/releases/.*.tmp"), 'nor its build directory');

# a probe that fails after the reload: switched back, reloaded again
($ok, $out) = run_publish(source('sick', hello('v3'),
    "module.exports = function () { throw new Error('sick'); };\n"));
ok(!$ok, 'a publish whose probe fails fails');
like($out, qr/probe .* failed/, 'and says the probe failed');
like($out, qr/current -> \S+ again/, 'after going back to the version before');
is(current('current'), $before, 'the link is back on v2');
is(wait_for('/hello', 'v2'), 'v2', 'v2 is served again');
settle();

# --rollback: one version back, and not past the first
($ok, $out) = run_publish('--rollback');
ok($ok, '--rollback') or diag($out);
is(wait_for('/hello', 'v1'), 'v1', 'v1 is served after --rollback');
($ok, $out) = run_publish('--rollback');
ok(!$ok, 'no rollback past the first version');
like($out, qr/no version of current before/, 'and it says so');
is(wait_for('/hello', 'v1'), 'v1', 'v1 is still served');
settle();

# a canary, then promoted
($ok, $out) = run_publish('--canary', source('v4', hello('v4')));
ok($ok, 'publish a canary') or diag($out);
is(wait_for('/canary/hello', 'v4'), 'v4', 'the canary serves v4');
is(wait_for('/hello', 'v1'), 'v1', 'current still serves v1');
($ok, $out) = run_publish('--promote');
ok($ok, '--promote') or diag($out);
is(current('current'), current('canary'), 'current is the canary\'s version');
is(wait_for('/hello', 'v4'), 'v4', 'v4 is served after --promote');
settle();

# versions kept: the linked ones, what a rollback reaches (--keep 2 of
# each history) and the 2 newest
($ok, $out) = run_publish('--list');
ok($ok, '--list');
like($out, qr/ current canary$/m, '--list marks the links');
# v1 (a rollback away), v3 (among the 2 newest), v4 (linked); not v2
is(versions(), 3, 'old versions are pruned');
ok(-d "$dir/releases/" . (split m{/}, $v1)[1], 'the one a rollback reaches is kept');

write_file($stop, '');
waitpid($child, 0);
my ($n, $failed, $seen) = split ' ', read_file($tally);
ok($n > 20, "traffic ran all along ($n requests)");
is($failed, 0, 'no request failed during the publishes and rollbacks');
# v3 failed its probe and may have answered in between; v5 never ran
like($seen, qr/^v1,v2,(v3,)?v4$/,
     'the published versions were served, not the refused one');

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[(alert|crit|emerg)\]/, 'no alert in the error log');

stop_nginx($master);
$master = undef;

done_testing();
