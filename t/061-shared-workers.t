# vi:filetype=perl

# faas_shared across workers and reloads: a value set by one worker is
# read by the other, incr() is exact under concurrent requests in both
# workers, and the zone and its items survive nginx -s reload.
#
# Drives nginx itself (master process on, two workers), as t/011 does.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use POSIX ();
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get start_nginx stop_nginx);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 2;
my $root = abs_path('t') . '/servroot-shared';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn");

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/conf/nginx.conf", <<"CONF");
$user$load
worker_processes 2;
daemon on;
master_process on;
error_log $root/logs/error.log info;
pid $root/logs/nginx.pid;
events { worker_connections 256; accept_mutex off; }
http {
    access_log off;
    client_body_temp_path $root/logs/body;
    faas_shared state 1m;
    faas_functions $root/fn;
    server {
        listen 127.0.0.1:$port reuseport;
        location ~ ^/(\\w+)\$ { faas_pass \$1; }
    }
}
CONF

# each heap draws a name when it is created: which worker answered
make_path("$root/fn/lib");
write_file("$root/fn/lib/me.js",
           "module.exports = String(Math.random()).slice(2);\n");
write_file("$root/fn/put.js", <<'JS');
var me = require('./lib/me');
module.exports = function (ctx) {
    shared.state.set(ctx.query.k, { by: me, at: new Date(0), v: [ctx.query.v] });
    return me;
};
JS
write_file("$root/fn/get.js", <<'JS');
var me = require('./lib/me');
module.exports = function (ctx) {
    var v = shared.state.get(ctx.query.k);
    return me + ' ' + (v ? v.by + ' ' + v.v[0] + ' ' + v.at.getTime() : '-');
};
JS
write_file("$root/fn/count.js", <<'JS');
var me = require('./lib/me');
module.exports = function (ctx) {
    var i, n = +ctx.query.n || 1;
    for (i = 0; i < n; i++) { shared.state.incr('count'); }
    return me;
};
JS
write_file("$root/fn/total.js",
           "module.exports = function () { return shared.state.get('count'); };\n");

my ($master, $err) = start_nginx(nginx => $nginx, prefix => $root,
                                 conf => "$root/conf/nginx.conf",
                                 pid => "$root/logs/nginx.pid");
$master or BAIL_OUT("nginx did not start: $err");
END { stop_nginx($master) if $master; }

for (1 .. 50) { last if (http_get($port, '/total'))[0] == 200; sleep 0.1; }

# set by one worker, read by the other: ask until the other answers
my ($code, $writer) = http_get($port, '/put?k=a&v=hello');
is($code, 200, 'set');

my ($other, $seen) = (0, '');
for (1 .. 200) {
    my ($c, $body) = http_get($port, '/get?k=a');
    my ($reader, $by, $v, $at) = split ' ', $body;
    next unless $c == 200 && $reader ne $writer;
    $other = 1;
    $seen = "$by $v $at";
    last;
}
ok($other, 'another worker answered');
is($seen, "$writer hello 0", 'the other worker reads what the first set');

# incr from both workers at once: 8 clients x 25 requests x 200 incr
my $clients = 8;
my @pids;
for my $c (1 .. $clients) {
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        my $failed = 0;
        for (1 .. 25) {
            $failed++ if (http_get($port, '/count?n=200'))[0] != 200;
        }
        # not exit(): the END block would stop nginx
        POSIX::_exit($failed ? 1 : 0);
    }
    push @pids, $pid;
}
my $failed = 0;
for (@pids) { waitpid($_, 0); $failed++ if $? != 0; }
is($failed, 0, 'every counting request answered 200');
is((http_get($port, '/total'))[1], $clients * 25 * 200,
   'incr() is exact under concurrency');

# a reload keeps the zone and its items: ask until a heap of a worker
# started after the reload answers (a name not seen before it)
my %before;
for (1 .. 40) {
    my ($c, $body) = http_get($port, '/get?k=a');
    $before{(split ' ', $body)[0]} = 1 if $c == 200;
}

kill 'HUP', $master;

my $after = '';
my $deadline = time + 10;
while (time < $deadline) {
    my ($c, $body) = http_get($port, '/get?k=a');
    my ($reader, $by, $v) = split ' ', $body;
    if ($c == 200 && !$before{$reader}) {
        $after = "$by $v";
        last;
    }
    sleep 0.05;
}
is($after, "$writer hello", 'the item is there after the reload');
is((http_get($port, '/total'))[1], $clients * 25 * 200,
   'the counter too');

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[(alert|crit|emerg)\]/, 'no alert in the error log');
like($log, qr/reconfiguring/, 'the reload happened');

stop_nginx($master);
$master = undef;

done_testing();
