# vi:filetype=perl

# faas_batch_cache with the real hypernova-client: the same job twice is
# rendered once (the component counts its renders: a hit shows the count
# of the first), other data is a miss, a hit costs less than the render,
# faas_status counts hits, misses, stores (JSON and Prometheus); a bundle
# changed on disk is a miss at once, and after `nginx -s reload` the new
# bundle renders: nothing rendered before the reload is served after it,
# also for a bundle that did not change. The LRU: a zone full of entries
# evicts the least recently used.
#
# Drives nginx itself (master on, 1 render worker so one heap counts),
# with the suite's environment; port +54 of TEST_NGINX_SERVER_PORT.

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use JSON::PP;
use Time::HiRes qw(sleep);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file http_get start_nginx stop_nginx);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 54;
my $root = abs_path('t') . '/servroot-batch-cache';
my $client = abs_path('t') . '/hypernova/client.js';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

plan skip_all => 'no node (make node-deps)' unless `node --version 2>&1` =~ /^v\d/;

BAIL_OUT('hypernova-client is not installed: make hypernova-client')
    unless -f abs_path('t') . '/hypernova/node_modules/hypernova-client/package.json';

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn");

# counts its renders in its heap, spends 20 ms of CPU
sub counter {
    my ($version) = @_;
    return <<"JS";
var renders = 0;
module.exports = function (ctx) {
    var start = Date.now();
    while (Date.now() - start < 20) {}
    renders++;
    return '<i>$version ' + renders + ' ' + ctx.body.data.x + '</i>';
};
JS
}

write_file("$root/fn/Count.js", counter('v1'));
write_file("$root/fn/Other.js", counter('o1'));
write_file("$root/fn/Big.js", <<'JS');
module.exports = function (ctx) {
    return '<p>' + ctx.body.data.x + new Array(3001).join('b') + '</p>';
};
JS

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
events { worker_connections 256; }
http {
    client_body_temp_path $root/logs/body;
    proxy_temp_path $root/logs/proxy;
    access_log off;

    faas_functions $root/fn;

    upstream render { server unix:$root/render.sock; }

    server {
        listen 127.0.0.1:$port;

        location = /batch {
            faas_batch /_job/;
            faas_batch_cache hypernova:64k;
        }

        location = /nocache { faas_batch /_job/; }

        location /_job/ {
            internal;
            proxy_pass http://render/;
        }

        location = /status { faas_status; }
    }

    server {
        listen unix:$root/render.sock backlog=64;
        faas_render on;
        location ~ ^/(?<fn>\\w+)\$ { faas_pass \$fn; }
    }
}
CONF

my ($pid, $err) = start_nginx(nginx => $nginx, prefix => $root,
                              conf => "$root/conf/nginx.conf",
                              pid => "$root/logs/nginx.pid");
BAIL_OUT("nginx did not start: $err") unless $pid;

my $json = JSON::PP->new->utf8->canonical;

sub batch {
    my ($jobs, $path) = @_;

    my $file = "$root/jobs.json";
    write_file($file, $json->encode($jobs));
    my $out = `node $client http://127.0.0.1:$port${\ ($path // '/batch')} \@$file 2>&1`;
    return eval { $json->decode($out) } // { crashed => $out };
}

sub markup {
    my ($r, $view) = @_;
    my ($m) = ($r->{results}{$view}{html} // '') =~ m{<i>([^<]*)</i>};
    return $m // '';
}

# the duration faas_batch measured, from the raw answer
sub durations {
    my ($body) = @_;
    my $d = eval { $json->decode($body) } or return {};
    return { map { $_ => $d->{results}{$_}{duration} } keys %{ $d->{results} } };
}

sub post {
    my ($path, $body) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Timeout => 3) or return '';
    print $s "POST $path HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
             . "Content-Type: application/json\r\n"
             . "Content-Length: " . length($body) . "\r\n\r\n$body";
    local $/;
    my $res = <$s> // '';
    my ($b) = $res =~ m{\r\n\r\n(.*)\z}s;
    return $b // '';
}

# 1. a hit: the same job is rendered once

is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v1 1 1', 'first render');
is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v1 1 1',
   'the same job again: from the cache, not rendered');
is(markup(batch({ Count => { x => 2 } }), 'Count'), 'v1 2 2',
   'other data: rendered');
is(markup(batch({ Count => { x => 1 } }, '/nocache'), 'Count'), 'v1 3 1',
   'without faas_batch_cache: rendered');

# 2. a hit costs less than a render (20 ms of CPU here)

my $miss = durations(post('/batch', '{"Count":{"name":"Count","data":{"x":9}}}'));
my $hit = durations(post('/batch', '{"Count":{"name":"Count","data":{"x":9}}}'));
# Date.now() counts whole milliseconds: 20 of them may be 19.1 ms
ok($miss->{Count} && $miss->{Count} >= 19, "a render takes its 20 ms ($miss->{Count} ms)");
ok(defined $hit->{Count} && $hit->{Count} < $miss->{Count} / 4,
   "a hit a fraction of it ($hit->{Count} ms)");

# 3. faas_status counts

my ($code, $body) = http_get($port, '/status');
my $st = eval { $json->decode($body) } // {};
is_deeply($st->{batch_cache},
          [{ zone => 'hypernova', size => 65536, entries => 3, hits => 2,
             misses => 3, stores => 3, evictions => 0 }],
          'faas_status: hits, misses, stores') or diag $body;

($code, $body) = http_get($port, '/status?format=prometheus');
like($body, qr/^faas_batch_cache_hits_total\{zone="hypernova"\} 2$/m,
     'Prometheus: hits');
like($body, qr/^faas_batch_cache_entries\{zone="hypernova"\} 3$/m,
     'Prometheus: entries');

# 4. a bundle changed on disk: not found (the render worker still has the
# code it loaded, until a reload)

sleep 0.01;
write_file("$root/fn/Count.js", counter('v2'));
is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v1 5 1',
   'a changed bundle is a miss at once');

# 5. a reload with new bundles never serves what was rendered before

kill 'HUP', $pid;
sleep 1.5;

is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v2 1 1',
   'after the reload: the new bundle renders');
is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v2 1 1',
   'and is cached');
is(markup(batch({ Other => { x => 5 } }), 'Other'), 'o1 1 5',
   'an unchanged bundle renders again after a reload');

# 6. a zone full of entries drops the least recently used (64k: 3 KB each)

batch({ Big => { x => $_ } }) for 1 .. 40;
($code, $body) = http_get($port, '/status');
$st = eval { $json->decode($body) } // {};
ok(($st->{batch_cache}[0]{evictions} // 0) > 0,
   "a full zone evicts ($st->{batch_cache}[0]{evictions} evictions)");
is(markup(batch({ Count => { x => 1 } }), 'Count'), 'v2 2 1',
   'the least recently used went');

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[alert\]|\[crit\]|exited on signal/, 'no alert, no crash');

stop_nginx($pid);
done_testing();
