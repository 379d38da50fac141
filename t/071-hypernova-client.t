# vi:filetype=perl

# The real npm hypernova-client (t/hypernova, pinned by its lockfile and
# installed by `make hypernova-client`) against faas_batch in front of a
# render pool of 2 render workers (master process on, 4 workers, a unix
# render socket): two components in one batch, an unknown component (a
# 404 job, the others rendered), a throwing one (500), a job past
# faas_batch_timeout (its TimeoutError, inside the client's own 1 s), the
# data in the script tag escaped as Hypernova does (the client reads it
# back), a body over 1,024,000 bytes (413: the client falls back), and 4
# jobs on 2 render workers: two at a time, never more.
#
# Like t/021, this drives nginx itself, with the suite's environment:
# TEST_NGINX_BINARY, TEST_NGINX_LOAD_MODULES, TEST_NGINX_SERVER_PORT
# (port +52 of it is used here).

use strict;
use warnings;

use Test::More;
use Cwd qw(abs_path);
use File::Path qw(make_path remove_tree);
use JSON::PP;
use Time::HiRes qw(sleep);
use FindBin;
use lib "$FindBin::Bin/lib";
use Faas::Run qw(write_file read_file start_nginx stop_nginx);

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $port = ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 52;
my $root = abs_path('t') . '/servroot-hypernova';
my $client = abs_path('t') . '/hypernova/client.js';
my @modules = split ' ', ($ENV{TEST_NGINX_LOAD_MODULES} || '');

plan skip_all => 'no node (make node-deps)' unless `node --version 2>&1` =~ /^v\d/;

BAIL_OUT('hypernova-client is not installed: make hypernova-client')
    unless -f abs_path('t') . '/hypernova/node_modules/hypernova-client/package.json';

remove_tree($root);
make_path("$root/conf", "$root/logs", "$root/fn");

write_file("$root/fn/Hello.js", <<'JS');
module.exports = function (ctx) {
    return '<p>Hello ' + ctx.body.data.name + '</p>';
};
JS

write_file("$root/fn/Count.js", <<'JS');
module.exports = function (ctx) { return '<i>' + ctx.body.data.n + '</i>'; };
JS

write_file("$root/fn/Boom.js", <<'JS');
module.exports = function () { throw new TypeError('boom'); };
JS

# spends data.ms of CPU; says when it ran, in the render worker it ran in
write_file("$root/fn/Spin.js", <<'JS');
module.exports = function (ctx) {
    var ms = ctx.body.data.ms, start = Date.now();
    while (Date.now() - start < ms) {}
    return '<b>' + start + ' ' + Date.now() + '</b>';
};
JS

# the same for S1 .. S4, the views of one batch
write_file("$root/fn/S$_.js", "module.exports = require('./Spin');\n")
    for 1 .. 4;

write_file("$root/fn/Echo.js", <<'JS');
module.exports = function (ctx) { return '<pre>' + ctx.body.data.s.length + '</pre>'; };
JS

my $user = $> == 0 ? "user root;\n" : '';
my $load = join '', map { "load_module $_;\n" } @modules;

write_file("$root/conf/nginx.conf", <<"CONF");
$user$load
worker_processes 4;
faas_render_workers 2;
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
    faas_timeout 5s;

    upstream render { server unix:$root/render.sock; }

    server {
        listen 127.0.0.1:$port;

        location = /batch {
            faas_batch /_job/;
            faas_batch_timeout 400ms;
            client_max_body_size 2m;
        }

        location /_job/ {
            internal;
            faas_admit budget=10s;
            subrequest_output_buffer_size 1m;
            proxy_pass http://render/;
        }

        # admission that refuses: jobs of 100 ms against a 50 ms budget
        location = /tight { faas_batch /_tight/; }

        location /_tight/ {
            internal;
            faas_admit budget=50ms;
            proxy_pass http://render/;
            error_page 503 = \@never;
        }

        location \@never { return 200 "the job's fallback page"; }
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

# the client's view of one batch: {html, failed, results}
sub batch {
    my ($jobs, $timeout) = @_;

    my $file = "$root/jobs.json";
    write_file($file, $json->encode($jobs));
    my $out = `node $client http://127.0.0.1:$port/batch \@$file @{[ $timeout // '' ]} 2>&1`;
    my $res = eval { $json->decode($out) };
    return $res // { crashed => $out };
}

my $id = qr/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/;

# 1. two components in one batch

my $r = batch({ Hello => { name => 'Ann' }, Count => { n => 3 } });

is($r->{failed}, undef, 'two components: no fallback of the batch');
is($r->{results}{Hello}{statusCode}, 200, 'two components: Hello 200');
is($r->{results}{Count}{statusCode}, 200, 'two components: Count 200');
like($r->{results}{Hello}{html},
     qr{^<div data-hypernova-key="Hello" data-hypernova-id="($id)"><p>Hello Ann</p></div>\n<script type="application/json" data-hypernova-key="Hello" data-hypernova-id="\1"><!--\{"name":"Ann"\}--></script>$},
     'two components: Hello as Hypernova serializes it');
like($r->{html}, qr{<i>3</i></div>}, 'two components: the page has Count');
like($r->{html}, qr{<p>Hello Ann</p></div>}, 'two components: and Hello');

# 2. an unknown component: a 404 job, the client renders it in the browser

$r = batch({ Nope => { x => 1 }, Hello => { name => 'Bo' } });

is($r->{failed}, undef, 'unknown: no fallback of the batch');
is($r->{results}{Nope}{statusCode}, 404, 'unknown: 404');
is($r->{results}{Nope}{success}, JSON::PP::false, 'unknown: success false');
is($r->{results}{Nope}{error}, 'Component "Nope" not registered',
   'unknown: its error');
like($r->{results}{Nope}{html}, qr{<div data-hypernova-key="Nope" data-hypernova-id="$id"></div>},
     'unknown: the client\'s fallback markup');
like($r->{results}{Hello}{html}, qr{<p>Hello Bo</p>}, 'unknown: Hello rendered');

# 3. a throwing component: a 500 job

$r = batch({ Boom => {}, Count => { n => 7 } });

is($r->{results}{Boom}{statusCode}, 500, 'throwing: 500');
is($r->{results}{Boom}{error}, 'function failed', 'throwing: its error');
like($r->{results}{Count}{html}, qr{<i>7</i>}, 'throwing: Count rendered');

# 4. a job past faas_batch_timeout (400 ms) fails alone, in the client's 1 s

$r = batch({ Spin => { ms => 1500 }, Hello => { name => 'Cy' } });

is($r->{failed}, undef, 'timeout: the batch answered within the client\'s 1 s');
is($r->{results}{Spin}{error}, 'no answer within faas_batch_timeout',
   'timeout: Spin timed out');
like($r->{results}{Hello}{html}, qr{<p>Hello Cy</p>}, 'timeout: Hello rendered');

# 5. the data in the script tag, escaped, read back as the client does

my $data = { s => 'a&b>c</script><!-- x -->', u => "\x{e9}", n => [1, 0.5] };
$r = batch({ Echo => $data });

my ($script) = ($r->{results}{Echo}{html} // '') =~ m{<!--(.*)--></script>$}s;
ok(defined $script && $script !~ /[>]/ && $script =~ /&gt;/ && $script =~ /&amp;/,
   'escaping: no > in the script\'s JSON, &gt; and &amp; instead');
(my $back = $script // '') =~ s/&gt;/>/g;
$back =~ s/&amp;/&/g;
is_deeply(eval { JSON::PP->new->decode($back) }, $data,
          'escaping: the data reads back');

# 6. over 1,024,000 bytes: 413, the client renders everything itself

$r = batch({ Echo => { s => 'x' x 1100000 } });

is($r->{failed}, 'Request failed with status code 413', 'oversized: 413');
like($r->{html}, qr{<div data-hypernova-key="Echo" data-hypernova-id="$id"></div>},
     'oversized: the client\'s fallback markup');

# 7. 4 jobs of 150 ms on 2 render workers: two at a time. Spin of test 4
#    runs on in its render worker for its whole 1,500 ms after the batch
#    gave up on it: wait that out, or one worker is busy and a job misses
#    faas_batch_timeout

sleep(1.5);

$r = batch({ map { ("S$_" => { ms => 150 }) } 1 .. 4 }, 5000);

my @runs = map { [ ($r->{results}{"S$_"}{html} // '') =~ m{<b>(\d+) (\d+)</b>} ] } 1 .. 4;
is(scalar(grep { @$_ == 2 } @runs), 4, 'parallel: 4 jobs rendered');

my $most = 0;
for my $a (@runs) {
    next unless @$a == 2;
    my $at = grep { @$_ == 2 && $_->[0] <= $a->[0] && $_->[1] > $a->[0] } @runs;
    $most = $at if $at > $most;
}
is($most, 2, 'parallel: two jobs at a time on 2 render workers');

# 8. faas_admit refuses a job of a batch alone: once the average run time
# (100 ms) is over the budget (50 ms), a job is admitted only while none
# waits; the jobs of one batch are admitted one after the other at once,
# so the first goes and the others are refused (503): those jobs fail, the
# client renders them, and the error_page of the job location is not what
# answers

sub tight {
    my $file = "$root/tight.json";
    write_file($file, $json->encode({ map { ("S$_" => { ms => 100 }) } @_ }));
    my $out = `node $client http://127.0.0.1:$port/tight \@$file 5000 2>&1`;
    return eval { $json->decode($out) } // { crashed => $out };
}

tight(1);                               # the average: 100 ms
$r = tight(1 .. 3);

my @refused = grep { ($r->{results}{"S$_"}{error} // '') eq 'refused by the render pool (503)' } 1 .. 3;
my @rendered = grep { ($r->{results}{"S$_"}{html} // '') =~ m{^<div [^>]+><b>\d+ \d+</b></div>} } 1 .. 3;
# (a render worker, another process, may claim the first job before the
# front admits the next one: then two go)
ok(@refused >= 1, 'admission: a job refused') or diag explain $r;
ok(@rendered >= 1, 'admission: a job rendered');
is(@refused + @rendered, 3, 'admission: each job either');
is($r->{failed}, undef, 'admission: the batch answered');
unlike($r->{html} // '', qr/fallback page/, 'admission: no error_page of the job location');
like(read_file("$root/logs/error.log"), qr/faas: refused, predicted wait/,
     'admission: the refusal logged');

my $log = read_file("$root/logs/error.log");
unlike($log, qr/\[alert\]|\[crit\]|signal 11|exited on signal/, 'no alert, no crash');

stop_nginx($pid);
done_testing();
