# vi:filetype=perl

# faas_schedule INTERVAL NAME: the function runs every INTERVAL in one
# worker of two, never twice at once (a run longer than the interval
# makes the next one skip), not doubled by a reload, stopped at shutdown;
# a failing run is logged with the function, the cause and a request id,
# and counted in faas_status.
#
# Drives nginx itself (master process on, two workers), as t/011 does.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get start_nginx stop_nginx);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 3;
my $root = abs_path('t') . '/servroot-schedule';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn/lib");

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/conf/nginx.conf", <<"CONF");
$user$load
worker_processes 2;
daemon on;
master_process on;
error_log $root/logs/error.log info;
pid $root/logs/nginx.pid;
events { worker_connections 64; accept_mutex off; }
http {
    access_log off;
    client_body_temp_path $root/logs/body;
    faas_shared runs 1m;
    faas_functions $root/fn;

    faas_preload tick;

    server {
        listen 127.0.0.1:$port;
        location /jobs {
            faas_timeout 2s;
            faas_schedule 200ms tick;
            faas_schedule 100ms slow;
            faas_schedule 300ms fail;
        }
        location ~ ^/(\\w+)\$ { faas_pass \$1; }
        location = /status { faas_status; }
    }
}
CONF

write_file("$root/fn/lib/me.js",
           "module.exports = String(Math.random()).slice(2);\n");

# every run: how many runs are on at once, when it started, which heap
write_file("$root/fn/tick.js", <<'JS');
var me = require('./lib/me');
module.exports = function (ctx) {
    var s = shared.runs, times;
    if (s.incr('tick.active') > 1) { s.incr('tick.overlap'); }
    s.incr('tick.runs');
    times = s.get('tick.times') || [];
    times.push(ctx.schedule.scheduledTime);
    s.set('tick.times', times);
    s.set('tick.ctx', { method: ctx.method, path: ctx.path,
                        interval: ctx.schedule.interval,
                        name: ctx.schedule.name,
                        late: Date.now() - ctx.schedule.scheduledTime,
                        id: ctx.requestId.length, heap: me });
    s.incr('tick.active', -1);
};
JS

# longer than its interval: runs must not overlap
write_file("$root/fn/slow.js", <<'JS');
module.exports = function () {
    var s = shared.runs, end = Date.now() + 350;
    if (s.incr('slow.active') > 1) { s.incr('slow.overlap'); }
    s.incr('slow.runs');
    while (Date.now() < end) {}
    s.incr('slow.active', -1);
};
JS

write_file("$root/fn/fail.js",
           "module.exports = function () { throw new Error('scheduled boom'); };\n");

write_file("$root/fn/get.js", <<'JS');
module.exports = function (ctx) {
    var v = shared.runs.get(ctx.query.k);
    return v === undefined ? 'none' : v;
};
JS

sub get { return (http_get($port, $_[0]))[1]; }

# runs are due from nginx's start: count the time start_nginx() took too
my $t0 = time;

my ($master, $err) = start_nginx(nginx => $nginx, prefix => $root,
                                 conf => "$root/conf/nginx.conf",
                                 pid => "$root/logs/nginx.pid");
$master or BAIL_OUT("nginx did not start: $err");
END { stop_nginx($master) if $master; }

sleep 2.1;

my $runs = get('/get?k=tick.runs');
my $most = int((time - $t0) / 0.2) + 1;
ok($runs >= 7 && $runs <= $most,
   "tick ran every 200 ms in 2.1 s: $runs runs, at most $most");
is(get('/get?k=tick.overlap'), 'none', 'no two runs of tick at once');

my $ctx = get('/get?k=tick.ctx');
like($ctx, qr/"method":"SCHEDULE"/, 'ctx.method is SCHEDULE');
like($ctx, qr/"path":"\/tick"/, 'ctx.path is /NAME');
like($ctx, qr/"interval":200,"name":"tick"/,
     'ctx.schedule has the interval and the name');
like($ctx, qr/"late":\d{1,3}[,}]/,
     'ctx.schedule.scheduledTime: when the run was due, on the clock of Date');
like($ctx, qr/"id":32/, 'a run has a request id');

is(get('/get?k=slow.overlap'), 'none',
   'a run longer than its interval never overlaps the next');
my $slow = get('/get?k=slow.runs');
ok($slow >= 3 && $slow <= 7, "slow ran about every 350 ms: $slow runs");

my $log = read_file("$root/logs/error.log");
like($log, qr/faas: schedule "slow" skipped a run, the one before is still running in process \d+/,
     'a skipped run is logged');
like($log, qr/\[error\].*faas: function "fail" failed: Error: scheduled boom.*faas_schedule: "fail", request_id: "[0-9a-f]{32}"/,
     'a failing run is logged with the function, the cause and a request id');
like($log, qr/faas: scheduled run of "tick" done in \d+us, faas_schedule: "tick"/,
     'a run that ends well is logged at info');

my $status = get('/status');
like($status, qr/"fail":\{[^}]*"errors":[1-9]/, 'failed runs are counted in faas_status');
like($status, qr/"tick":\{[^}]*"requests":[1-9]/, 'runs are counted as calls');
like($status, qr/"schedules":\[\{"failed":0,"function":"tick","interval_ms":200,"runs":[1-9]\d*,"skipped":0\},\{"failed":0,"function":"slow","interval_ms":100,"runs":[1-9]\d*,"skipped":[1-9]\d*\},\{"failed":[1-9]\d*,"function":"fail","interval_ms":300,"runs":[1-9]\d*,"skipped":0\}\]/,
     'faas_status counts the runs, failures and skips of each schedule');

my $prom = get('/status?format=prometheus');
like($prom, qr/^faas_schedule_skipped_total\{function="slow"\} [1-9]/m,
     'and so does its Prometheus text');

SKIP: {
    my $promtool = $ENV{TEST_NGINX_PROMTOOL}
                   || abs_path('.') . '/build/prometheus/usr/bin/promtool';
    skip 'no promtool (make promtool)', 1 unless -x $promtool;
    write_file("$root/logs/metrics.txt", $prom);
    my $out = `$promtool check metrics < $root/logs/metrics.txt 2>&1`;
    is("$?:$out", '0:', 'promtool check metrics passes');
}

# a reload: the new workers take over the schedule, the old ones stop
# without running it again; runs stay at least an interval apart
my $before = get('/get?k=tick.runs');
kill 'HUP', $master;
sleep 2.1;
my $after = get('/get?k=tick.runs');
ok($after - $before >= 7 && $after - $before <= 11,
   'after a reload, tick still runs every 200 ms: ' . ($after - $before));

my @times = (get('/get?k=tick.times') =~ /(\d+)/g);
my $min = 1e9;
for my $i (1 .. $#times) {
    my $gap = $times[$i] - $times[$i - 1];
    $min = $gap if $gap < $min;
}
# when each run was due: an interval after the one before started, so
# at least an interval apart (1 ms for the two clocks' rounding)
ok($min >= 199, "runs of tick were due 200 ms apart, the reload included (min $min ms)");
is(get('/get?k=tick.overlap'), 'none', 'no two runs at once across the reload');

$log = read_file("$root/logs/error.log");
like($log, qr/reconfiguring/, 'the reload happened');
unlike($log, qr/\[(alert|crit|emerg)\]/, 'no alert in the error log');

# a reload that shortens the interval: the next run is due no later
# than the new interval, not when the old one said
my $conf = read_file("$root/conf/nginx.conf");
(my $long = $conf) =~ s/faas_schedule 200ms tick;/faas_schedule 60s tick;/;
write_file("$root/conf/nginx.conf", $long);
kill 'HUP', $master;
sleep 1;
$before = get('/get?k=tick.runs');
sleep 0.5;
is(get('/get?k=tick.runs'), $before, 'with an interval of 60 s, no run');
write_file("$root/conf/nginx.conf", $conf);
kill 'HUP', $master;
sleep 1.5;
$after = get('/get?k=tick.runs');
ok($after - $before >= 3,
   'back to 200 ms, runs resume at once: ' . ($after - $before));

# shutdown: the timers do not keep a worker alive
my $t = time;
stop_nginx($master);
ok(!kill(0, $master), 'nginx stops');
ok(time - $t < 3, 'and promptly (' . sprintf('%.1f', time - $t) . ' s)');
$master = undef;

done_testing();
