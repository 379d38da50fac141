# vi:filetype=perl

# nginx -s reload publishes changed code, with fresh module state and no
# failed request; faas_debug re-reads a function on every call.
#
# Block-format tests cannot edit a file between two requests, so this one
# drives nginx itself (master process on), with the same environment as
# the rest of the suite: TEST_NGINX_BINARY, TEST_NGINX_LOAD_MODULES,
# TEST_NGINX_SERVER_PORT.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 1;
my $root = abs_path('t') . '/servroot-reload';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn", "$root/dbg");

sub get {
    return http_get($port, @_);
}

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/conf/nginx.conf", <<"CONF");
$user$load
worker_processes 2;
daemon on;
master_process on;
error_log $root/logs/error.log info;
pid $root/logs/nginx.pid;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $root/logs/body;
    faas_functions $root/fn;
    faas_preload counter;
    server {
        listen 127.0.0.1:$port;
        location /counter { faas_pass counter; }
        location /dbg { faas_functions $root/dbg; faas_debug on; faas_pass page; }
    }
}
CONF

write_file("$root/fn/counter.js",
           "var n = 0;\nmodule.exports = function () { return 'v1:' + (++n); };\n");
write_file("$root/dbg/page.js", "module.exports = function () { return 'first'; };\n");

# a port may still be held a moment by an nginx of the test before
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
for (1 .. 50) {
    last if -s "$root/logs/nginx.pid" && (get('/counter'))[0];
    sleep 0.1;
}
$master = do { local @ARGV = ("$root/logs/nginx.pid"); <> } // '';
chomp $master;

END { kill 'QUIT', $master if $master; }

# two workers: each has its own heap, so count on one connection per
# request and look at what the workers say
my (%seen, $v1_failed);
for (1 .. 20) {
    my ($code, $body) = get('/counter');
    $v1_failed++ if $code != 200;
    $seen{$body}++;
}
ok(!$v1_failed, 'the first code answers');
ok($seen{'v1:2'}, 'module state persists across requests');

# publish new code; keep asking while the reload happens
write_file("$root/fn/counter.js",
           "var n = 0;\nmodule.exports = function () { return 'v2:' + (++n); };\n");

kill 'HUP', $master;

my ($failed, $v2, $first_v2) = (0, 0, undef);
my $deadline = time + 10;
while (time < $deadline) {
    my ($code, $body) = get('/counter');
    if ($code != 200) { $failed++; next; }
    if ($body =~ /^v2:(\d+)$/) {
        $first_v2 //= $1;
        last if ++$v2 >= 10;
    }
}

is($failed, 0, 'no request failed during the reload');
is($v2, 10, 'the changed code is served after nginx -s reload');
is($first_v2, 1, 'the new code starts with fresh module state');

# faas_debug: a change is seen by the very next request, without reload
is((get('/dbg'))[1], 'first', 'faas_debug serves the file');
write_file("$root/dbg/page.js", "module.exports = function () { return 'second'; };\n");
is((get('/dbg'))[1], 'second', 'faas_debug re-reads the file on every call');

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[(alert|crit|emerg)\]/, 'no alert in the error log');

kill 'QUIT', $master;
for (1 .. 50) { last unless kill 0, $master; sleep 0.1; }
$master = undef;

done_testing();
