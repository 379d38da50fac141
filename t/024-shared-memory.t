# vi:filetype=perl

# The render pool's shared memory under concurrency, with real worker
# processes (2 front workers, 1 render worker):
#
#   - the admission average: a slow call sets it, then 20 concurrent fast
#     calls, ten on each front worker, each move it 1/8 of the way down;
#     an update lost to another worker's (no compare-and-swap) leaves it
#     at least 8/7 above where 20 updates put it, which is what is checked
#   - ticket slots: a request waits with its ticket (WAITING: its upstream
#     is this test, which answers when it likes) and a call runs with its
#     (STARTED) while more than the 8192 slots' worth of requests take
#     tickets after them; each slot is reused, the two are passed over: the
#     waiting one stops counting as waiting when it ends, the call's run
#     time reaches the average (a slot taken from either loses that),
#     nothing is refused
#   - worker statistics across a reload: an old render worker still running
#     a call when its successor starts one does not clear the successor's
#     busy flag nor add its call to the successor's count when it ends
#
# Like t/021-render-pool.t this drives nginx itself (master process on)
# with the suite's environment; it uses TEST_NGINX_SERVER_PORT + 30, + 31
# and + 32. Every wait is a poll with a deadline, and each check that needs
# an order of events (a call still running) asserts that order first.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $base = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
my $fport = $base + 30;                         # the front server
my $rport = $base + 31;                         # the render server
my $hport = $base + 32;                         # this test, as an upstream
my $root = abs_path('t') . '/servroot-shm';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn", "$root/html/t");

# a busy loop of ?ms= milliseconds (the render worker's own clock)
write_file("$root/fn/slow.js", <<'JS');
module.exports = function (ctx) {
    var ms = +ctx.query.ms, start = Date.now();
    while (Date.now() - start < ms) {}
    return 'slow ' + ms;
};
JS
write_file("$root/fn/fast.js", "module.exports = function () { return 'fast'; };\n");
write_file("$root/html/t/x", "x\n");

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/conf/nginx.conf", <<"CONF");
$user$load
worker_processes 3;
faas_render_workers 1;
daemon on;
master_process on;
error_log $root/logs/error.log info;
pid $root/logs/nginx.pid;
events { worker_connections 512; accept_mutex off; }
http {
    client_body_temp_path $root/logs/body;
    proxy_temp_path $root/logs/proxy;
    access_log off;

    faas_functions $root/fn;
    faas_timeout 30s;

    server {
        listen 127.0.0.1:$fport;
        keepalive_requests 100000;
        add_header X-Front \$pid always;

        location = /status { faas_status; }
        location = /ping { return 200 "pong"; }

        # each its own admission slot, so its own average
        location /avg/ {
            faas_admit budget=60s;
            proxy_pass http://127.0.0.1:$rport/;
        }
        location /held/ {
            faas_admit budget=60s;
            proxy_pass http://127.0.0.1:$rport/;
        }
        location /wait/ {
            faas_admit budget=60s;
            proxy_pass http://127.0.0.1:$hport/;
            proxy_read_timeout 30s;
        }

        # a ticket per request without a render worker: a static file
        location /t/ {
            faas_admit budget=60s;
            root $root/html;
        }

        location /r/ { proxy_pass http://127.0.0.1:$rport/; }
    }

    server {
        listen 127.0.0.1:$rport backlog=256;
        faas_render on;
        location ~ ^/(?<fn>\\w+)\$ { faas_pass \$fn; }
    }
}
CONF


# ---------------------------------------------------------------------------
# HTTP on non-blocking sockets, many requests in flight

sub start {
    my ($path) = @_;
    my $h = { path => $path, buf => '' };
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $fport,
                                  Proto => 'tcp', Timeout => 3);
    if (!$s) {
        @$h{qw(done code error)} = (1, 0, "connect: $!");
        return $h;
    }
    print $s "GET $path HTTP/1.1\r\nHost: localhost\r\n"
             . "Connection: close\r\n\r\n";
    $s->blocking(0);
    $h->{sock} = $s;
    return $h;
}

sub answered {
    my ($h) = @_;
    return 1 if $h->{done};
    return scalar IO::Select->new($h->{sock})->can_read(0);
}

# read every answer until its server closes, at most $timeout seconds
sub finish {
    my ($timeout, @hs) = @_;
    my $deadline = time + $timeout;
    my $sel = IO::Select->new;
    my %by;

    for my $h (grep { !$_->{done} } @hs) {
        $sel->add($h->{sock});
        $by{fileno $h->{sock}} = $h;
    }

    while ($sel->count && time < $deadline) {
        for my $s ($sel->can_read($deadline - time)) {
            my $h = $by{fileno $s};
            my $n = sysread($s, my $chunk, 65536);
            next if !defined $n && ($!{EAGAIN} || $!{EINTR});
            if ($n) {
                $h->{buf} .= $chunk;
                next;
            }
            $h->{done} = 1;
            $h->{t1} = time;
            $sel->remove($s);
            close $s;
        }
    }

    for my $h (@hs) {
        if (!$h->{done}) {
            $sel->remove($h->{sock});
            close $h->{sock};
            $h->{done} = 1;
        }
        next if defined $h->{code};
        my ($head, $body) = split /\r\n\r\n/, $h->{buf}, 2;
        $h->{code} = $head && $head =~ m{^HTTP/1\.1 (\d+)} ? $1 : 0;
        $h->{front} = $head && $head =~ /^X-Front: (\d+)/mi ? $1 : 0;
        $h->{body} = $body // '';
    }

    return wantarray ? @hs : $hs[0];
}

# up to $per kept-alive connections to each front worker, by pid, as
# handles for finish(); the others are closed
sub front_connections {
    my ($per) = @_;
    my %by;

    for my $round (1 .. 20) {
        my @socks = grep { $_ } map {
            IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $fport,
                                  Proto => 'tcp', Timeout => 3)
        } 1 .. 2 * $per;

        print $_ "GET /ping HTTP/1.1\r\nHost: localhost\r\n\r\n" for @socks;

        for my $s (@socks) {
            my $buf = '';
            while ($buf !~ /\r\n\r\npong/) {
                sysread($s, $buf, 4096, length $buf) or last;
            }
            my ($pid) = $buf =~ /^X-Front: (\d+)/mi;

            if ($pid && @{ $by{$pid} ||= [] } < $per) {
                $s->blocking(0);
                push @{ $by{$pid} }, { sock => $s, buf => '' };
            } else {
                close $s;
            }
        }

        last if keys %by == 2 && !grep { @$_ < $per } values %by;
        sleep 0.05;
    }

    return %by;
}

sub status {
    my $h = finish(5, start('/status'));
    return eval { decode_json($h->{body}) } || {};
}

sub wait_for {
    my ($timeout, $code) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $v = $code->();
        return $v if $v;
        return 0 if time > $deadline;
        sleep 0.01;
    }
}

sub render_worker {
    my ($st) = @_;
    my ($w) = grep { $_->{render} } @{ $st->{workers} || [] };
    return $w || {};
}

sub admit_slot {
    my ($st, $location) = @_;
    my ($a) = grep { $_->{location} eq $location } @{ $st->{admission} || [] };
    return $a || {};
}

# the render worker runs a call and its ticket has left WAITING
sub render_busy {
    my $st = status();
    return (render_worker($st)->{busy}
            && ($st->{render_pool}{waiting} // -1) == 0) ? $st : undef;
}


# ---------------------------------------------------------------------------
# start

my $started;
for (1 .. 10) {
    $started = system("$nginx -p $root/ -c $root/conf/nginx.conf "
                      . "2>$root/logs/start.err") == 0
        and last;
    sleep 0.5;
}
$started or BAIL_OUT("nginx did not start: "
                     . read_file("$root/logs/start.err"));

my $master;

END {
    if ($master && kill 0, $master) {
        kill 'TERM', $master;
        for (1 .. 50) { last unless kill 0, $master; sleep 0.1; }
        kill 'KILL', $master if kill 0, $master;
    }
}

wait_for(5, sub { -s "$root/logs/nginx.pid" });
$master = read_file("$root/logs/nginx.pid");
chomp $master;
BAIL_OUT('no master pid') unless $master =~ /^\d+$/;

my $st0 = wait_for(10, sub {
    my $st = status();
    my @w = @{ $st->{workers} || [] };
    return (@w == 3 && !grep { !$_->{pid} } @w) ? $st : undef;
});
ok($st0, 'nginx answers, three workers in faas_status') or BAIL_OUT('');


# ---------------------------------------------------------------------------
# the admission average: no update lost between front workers

{
    my $slow = finish(10, start('/avg/slow?ms=1000'));
    is($slow->{code}, 200, 'average: the slow call answers');

    # its release is the first update: the average is its run time
    my $st = wait_for(5, sub {
        my $s = status();
        return admit_slot($s, '/avg/')->{average_ms} ? $s : undef;
    });
    my $a = int(admit_slot($st, '/avg/')->{average_ms} * 1000 + 0.5);
    cmp_ok($a, '>=', 900_000, 'average: the slow call set it (us)');

    # kept-alive connections to both front workers, ten each (the kernel
    # picks the worker: a connection is kept once its /ping says which)
    my %by = front_connections(10);
    is(scalar(keys %by), 2, 'average: connections to both front workers');

    my @hs = map { @$_ } values %by;
    my $n = @hs;

    print { $_->{sock} } "GET /avg/fast HTTP/1.1\r\nHost: localhost\r\n"
                         . "Connection: close\r\n\r\n" for @hs;
    finish(30, @hs);

    is(scalar(grep { $_->{code} == 200 } @hs), $n,
       "average: $n concurrent fast calls answer 200");

    # x -> x - x/8 + run/8 per release, in integers: after n releases it
    # is at least n decays of a, and within the fast run times above it;
    # one update lost leaves it at least n - 1 decays of a
    my ($low, $lost) = ($a, $a);
    for my $i (1 .. $n) {
        $low = $low - int($low / 8);
        $lost = $low if $i == $n - 1;
    }

    $st = wait_for(5, sub {
        my $s = status();
        return admit_slot($s, '/avg/')->{admitted} == $n + 1 ? $s : undef;
    });
    ok($st, 'average: every call admitted (' . ($n + 1) . ')');

    # the last front request may end a moment after its answer
    my $avg;
    wait_for(5, sub {
        $avg = int(admit_slot(status(), '/avg/')->{average_ms} * 1000 + 0.5);
        return $avg < $lost;
    });

    cmp_ok($avg, '>=', $low, "average: at least $n decays of $a us");
    cmp_ok($avg, '<', $lost, "average: no update lost (under $lost us, "
                             . 'where one lost update would leave it)');
}


# ---------------------------------------------------------------------------
# ticket slots: more than 8192 tickets while two are in use, one WAITING
# (its request is with an upstream that answers when this test says) and
# one STARTED (a call runs)

{
    my $hold = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $hport, Proto => 'tcp',
                                      Listen => 8, ReuseAddr => 1)
        or BAIL_OUT("cannot listen on $hport: $!");

    my $wait = start('/wait/x');
    ok(wait_for(10, sub { status()->{render_pool}{waiting} == 1 }),
       'tickets: a request waits with its ticket');

    my $held = start('/held/slow?ms=4000');
    ok(wait_for(10, sub {
        my $st = status();
        return render_worker($st)->{busy} && $st->{render_pool}{waiting} == 1;
    }), 'tickets: a call runs with its ticket');

    # 8300 requests that each take and release a ticket, pipelined on
    # keep-alive connections
    my ($conns, $per) = (4, 2075);
    my $t0 = time;
    my @socks;

    for my $c (1 .. $conns) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $fport, Proto => 'tcp',
                                      Timeout => 3)
            or BAIL_OUT("connect: $!");
        my $req = "GET /t/x HTTP/1.1\r\nHost: localhost\r\n\r\n" x ($per - 1)
                  . "GET /t/x HTTP/1.1\r\nHost: localhost\r\n"
                  . "Connection: close\r\n\r\n";
        print $s $req;
        push @socks, $s;
    }

    my $ok = 0;
    for my $s (@socks) {
        local $/;
        my $res = <$s> // '';
        close $s;
        $ok += () = $res =~ m{^HTTP/1\.1 200 }mg;
    }

    my $took = time - $t0;
    is($ok, $conns * $per, 'tickets: ' . ($conns * $per)
                           . ' requests past the two answer 200');

    # the order this part needs: the call outlasted the 8300 requests
    ok(!answered($held),
       sprintf('tickets: the call still ran after them (they took %.1f s '
               . 'of its 4)', $took));

    # a request ends when its client has closed, a moment after the answer
    my $st = wait_for(5, sub {
        my $s = status();
        return $s->{render_pool}{waiting} == 1 ? $s : undef;
    });
    ok($st, 'tickets: one request waits');
    $st ||= status();
    is(admit_slot($st, '/t/')->{admitted}, $conns * $per,
       'tickets: each admitted');
    is(admit_slot($st, '/t/')->{refused}, 0, 'tickets: none refused');

    # the upstream answers the waiting request now
    my $up = $hold->accept;
    ok($up, 'tickets: the waiting request reached its upstream');
    if ($up) {
        my $in = '';
        while ($in !~ /\r\n\r\n/) { sysread($up, $in, 4096, length $in) or last }
        print $up "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
                  . "Connection: close\r\n\r\nlate\n";
        close $up;
    }
    close $hold;

    finish(10, $wait);
    is($wait->{code}, 200, 'tickets: the waiting request answers');

    finish(15, $held);
    is($held->{code}, 200, 'tickets: the call answers');

    # each moves its own slot out of its state: the waiting one no longer
    # counts as waiting, the call's run time reaches the average
    $st = wait_for(5, sub {
        my $s = status();
        return ($s->{render_pool}{waiting} // -1) == 0 ? $s : undef;
    });
    ok($st, 'tickets: nothing is left waiting (the waiting slot was not '
            . 'taken)');

    my $avg = wait_for(5, sub {
        return admit_slot(status(), '/held/')->{average_ms};
    });
    cmp_ok($avg, '>=', 3900, 'tickets: the call\'s run time reached the '
                             . 'average (its slot was not taken)');
}


# ---------------------------------------------------------------------------
# worker statistics across a reload: keyed by pid

{
    my $st = wait_for(5, sub {
        my $s = status();
        return render_worker($s)->{busy} ? undef : $s;
    });
    my $old = render_worker($st)->{pid};
    ok($old, 'reload: the render worker before');

    my $a = start('/r/slow?ms=3000');
    ok(wait_for(10, \&render_busy), 'reload: a call runs on the old worker');

    kill 'HUP', $master;

    $st = wait_for(15, sub {
        my $s = status();
        my $w = render_worker($s);
        return ($w->{pid} && $w->{pid} != $old) ? $s : undef;
    });
    my $new = render_worker($st)->{pid};
    ok($new, "reload: a new render worker ($new) took the slot");

    # the slot's call count goes on across reloads (a Prometheus counter
    # per worker number)
    my $count = render_worker($st)->{requests};

    my $b = start('/r/slow?ms=6000');
    $st = wait_for(10, sub {
        my $s = status();
        my $w = render_worker($s);
        return ($w->{pid} == $new && $w->{busy}) ? $s : undef;
    });
    ok($st, 'reload: a call runs on the new worker');
    ok(!answered($a), 'reload: ... while the old worker\'s call still runs');

    finish(15, $a);
    is($a->{code}, 200, 'reload: the old worker\'s call answers');

    # the old worker exits once its connection is closed: it has done all
    # it will do to the statistics
    ok(wait_for(10, sub { !kill 0, $old }), 'reload: the old worker exited');

    ok(!answered($b), 'reload: the new worker\'s call still runs');

    $st = status();
    my @pids = map { $_->{pid} } @{ $st->{workers} || [] };
    ok(!grep({ $_ == $old } @pids), 'reload: the old pid is gone from '
                                    . 'faas_status');
    is(render_worker($st)->{pid}, $new, 'reload: the slot is the new pid\'s');
    is(render_worker($st)->{busy}, 1,
       'reload: the new worker is still busy (the old one did not clear it)');
    is(render_worker($st)->{requests}, $count,
       'reload: the old worker\'s call is not counted as the new one\'s');

    finish(15, $b);
    is($b->{code}, 200, 'reload: the new worker\'s call answers');

    $st = wait_for(5, sub {
        my $s = status();
        return render_worker($s)->{busy} ? undef : $s;
    });
    ok($st, 'reload: the new worker is idle after its call');
    is(render_worker($st)->{requests}, $count + 1,
       'reload: its one call is counted');
}

kill 'QUIT', $master;
ok(wait_for(10, sub { !kill 0, $master }), 'nginx stops');

my $log = read_file("$root/logs/error.log");
my @bad = grep { /\[(alert|crit|emerg)\]/ } split /\n/, $log;
is_deeply(\@bad, [], 'no alert, crit or emerg in the error log');

done_testing();
