# vi:filetype=perl

# faas_status?format=prometheus: the text exposition format 0.0.4 that
# promtool accepts (HELP and TYPE for each family, a family's samples
# together, counters in _total), with a histogram of run time and one of
# queue time per function, the admission counters of each faas_admit
# location (escaped), the render pool's gauges and each worker's pid.
#
# promtool comes from Debian's prometheus package, unpacked by
# `make promtool` (TEST_NGINX_PROMTOOL, build/prometheus by default).

use Test::Nginx::Socket 'no_plan';
use Cwd qw(abs_path);

$ENV{TEST_NGINX_RENDER_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 20;

my $promtool = $ENV{TEST_NGINX_PROMTOOL}
               || abs_path('.') . '/build/prometheus/usr/bin/promtool';

# worker processes with pids; worker 2 is the render worker of TEST 1
master_on();
workers(3);

# counters live in shared memory for the life of nginx: one round each
repeat_each(1);
no_long_string();

# the metrics are the last answer of a block; --- metrics holds the values
# expected in them ("series value" lines), --- absent series that must not
# be there
add_response_body_check(sub {
    my ($block, $body, $idx, $rep, $dry_run) = @_;

    return unless defined $block->metrics && $body =~ /^# HELP /;

    my $name = $block->name;

    SKIP: {
        skip "$name: dry run", 15 if $dry_run;

        ok(-x $promtool, "$name: promtool at $promtool (make promtool)");

        my $file = server_root() . '/metrics.txt';
        open my $fh, '>', $file or die "$file: $!";
        print $fh $body;
        close $fh;

        my $out = `$promtool check metrics < $file 2>&1`;
        is($?, 0, "$name: promtool check metrics passes");
        is($out, '', "$name: promtool reports no problem");

        check_families($name, $body);
        check_histograms($name, $body);

        my %got = map { /^(\S+) (\S+)$/ ? ($1 => $2) : () }
                  grep { !/^#/ } split /\n/, $body;

        my @want = grep { /\S/ } split /\n/, $block->metrics;
        my @bad;

        for my $line (@want) {
            my ($series, $value) = $line =~ /^(\S+) (\S+)$/
                or die "$name: bad --- metrics line: $line\n";

            push @bad, "$series: " . ($got{$series} // 'absent')
                       . ", want $value"
                unless defined $got{$series} && $got{$series} == $value;
        }

        is(join("\n", @bad), '', "$name: the values of --- metrics");

        my @absent = grep { /\S/ } split /\n/, ($block->absent // '');
        is(join("\n", grep { $body =~ /^\Q$_\E/m } @absent), '',
           "$name: no series of --- absent");

        my @pids = $body =~ /^faas_worker_info\{worker="\d+",pid="(\d+)",/mg;
        is(scalar @pids, 3, "$name: faas_worker_info of each worker");
        ok(@pids && !grep({ $_ == 0 || !kill 0, $_ } @pids),
           "$name: every worker's pid is a live process (@pids)");

        my @render = $body =~ /^faas_worker_info\{.*render="1"\} 1$/mg;
        is(scalar @render, $got{faas_render_workers},
           "$name: as many render workers in faas_worker_info as in the pool");
    }
});

# each family once: HELP, TYPE, then its samples, none elsewhere
sub check_families {
    my ($name, $body) = @_;
    my (%type, %seen, $current, @bad);

    for my $line (split /\n/, $body) {
        if ($line =~ /^# HELP (\S+) \S/) {
            push @bad, "$1: a second HELP" if $seen{$1}++;
            $current = $1;
            next;
        }

        if ($line =~ /^# TYPE (\S+) (\S+)$/) {
            push @bad, "$1: TYPE without HELP before it"
                unless defined $current && $current eq $1;
            $type{$1} = $2;
            next;
        }

        my ($metric) = $line =~ /^([a-z_]+)[{ ]/ or next;
        my $family = $metric;
        $family = $1 if !$type{$metric}
                        && $metric =~ /^(\w+)_(?:bucket|sum|count)$/
                        && ($type{$1} // '') eq 'histogram';

        push @bad, "$metric: outside its family $family"
            unless defined $current && $family eq $current && $type{$family};
        push @bad, "$metric: a counter not in _total"
            if ($type{$family} // '') eq 'counter' && $metric !~ /_total$/;
    }

    is(join("\n", @bad), '', "$name: families are whole, with HELP and TYPE");
}

# buckets in order of le, cumulative, +Inf equal to _count
sub check_histograms {
    my ($name, $body) = @_;
    my (%buckets, %count, @bad);

    while ($body =~ /^(\w+)_bucket\{(.*),le="([^"]+)"\} (\d+)$/mg) {
        push @{ $buckets{"$1\{$2\}"} }, [$3, $4];
    }

    while ($body =~ /^(\w+)_count\{(.*)\} (\d+)$/mg) {
        $count{"$1\{$2\}"} = $3;
    }

    for my $h (sort keys %buckets) {
        my @b = @{ $buckets{$h} };
        my ($le, $n) = (-1, 0);

        for my $b (@b) {
            my $v = $b->[0] eq '+Inf' ? 9**9**9 : $b->[0];
            push @bad, "$h: le $b->[0] after $le" if $v <= $le;
            push @bad, "$h: le $b->[0] has $b->[1], fewer than $n"
                if $b->[1] < $n;
            ($le, $n) = ($v, $b->[1]);
        }

        push @bad, "$h: no +Inf bucket" unless $b[-1][0] eq '+Inf';
        push @bad, "$h: +Inf $n, _count " . ($count{$h} // 'absent')
            unless defined $count{$h} && $count{$h} == $n;
    }

    ok(scalar keys %buckets, "$name: there are histograms");
    is(join("\n", @bad), '', "$name: buckets cumulative, +Inf is _count");
}

run_tests();

__DATA__

=== TEST 1: the render pool and inline calls, errors included
A render worker is busy until its connection closes, which may come
after the front has passed its answer on (seen on a loaded machine:
faas_render_busy 1): /fn/pause waits 100 ms before the status is read
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 100ms;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location /r/ {
        faas_admit budget=10s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
    location ~ "^/odd\"(\w+)$" {
        faas_admit;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/$1;
    }
    location /status { faas_status; }
    location = /batch { faas_batch /r/; faas_batch_cache pages:64k; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
>>> fn/spin.js
module.exports = function () { for (;;) {} };
>>> fn/pause.js
module.exports = function () {
    return new Promise(function (resolve) { setTimeout(resolve, 100, 'later'); });
};
>>> fn/slow.js
module.exports = function () {
    var start = Date.now();
    while (Date.now() - start < 30) {}
    return 'slow';
};
--- request eval
["GET /fn/hello", "GET /fn/hello", "GET /fn/hello", "GET /fn/boom",
 "GET /fn/spin", "GET /fn/nosuch", "GET /r/hello", "GET /r/hello",
 "GET /r/slow", "GET /r/slow", "GET /r/boom", "GET /fn/pause",
 "GET /status?format=prometheus"]
--- error_code eval
[200, 200, 200, 500, 504, 404, 200, 200, 200, 200, 500, 200, 200]
--- response_headers_like eval
["", "", "", "", "", "", "", "", "", "", "", "",
 "Content-Type: text/plain; version=0\\.0\\.4"]
--- metrics
faas_batch_cache_hits_total{zone="pages"} 0
faas_batch_cache_misses_total{zone="pages"} 0
faas_batch_cache_stores_total{zone="pages"} 0
faas_batch_cache_evictions_total{zone="pages"} 0
faas_batch_cache_entries{zone="pages"} 0
faas_function_requests_total{function="hello"} 5
faas_function_errors_total{function="hello"} 0
faas_function_requests_total{function="boom"} 2
faas_function_errors_total{function="boom"} 2
faas_function_timeouts_total{function="spin"} 1
faas_function_heap_resets_total{function="spin"} 1
faas_function_run_time_seconds_count{function="hello"} 5
faas_function_run_time_seconds_count{function="boom"} 2
faas_function_run_time_seconds_count{function="spin"} 1
faas_function_run_time_seconds_bucket{function="spin",le="0.05"} 0
faas_function_run_time_seconds_bucket{function="spin",le="0.25"} 1
faas_function_run_time_seconds_count{function="slow"} 2
faas_function_run_time_seconds_bucket{function="slow",le="0.025"} 0
faas_function_queue_time_seconds_count{function="hello"} 2
faas_function_queue_time_seconds_count{function="slow"} 2
faas_function_queue_time_seconds_count{function="boom"} 1
faas_function_queue_time_seconds_count{function="spin"} 0
faas_admit_admitted_total{location="/r/"} 5
faas_admit_refused_total{location="/r/"} 0
faas_admit_admitted_total{location="^/odd\"(\\w+)$"} 0
faas_admit_refused_total{location="^/odd\"(\\w+)$"} 0
faas_render_workers 1
faas_render_busy 0
faas_render_waiting 0
faas_render_utilisation 0.0000
--- absent
faas_function_requests_total{function="nosuch"}
--- no_error_log
[alert]



=== TEST 2: no render pool: no queue time, no admission, every worker's pid
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/fn/(?<fn>[\w/]+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
>>> fn/a/b.js
module.exports = function () { throw new Error('b'); };
--- request eval
["GET /fn/hello", "GET /fn/a/b", "GET /fn/a/b", "GET /fn/hello",
 "GET /status?format=prometheus"]
--- error_code eval
[200, 500, 500, 200, 200]
--- metrics
faas_function_requests_total{function="hello"} 2
faas_function_run_time_seconds_count{function="hello"} 2
faas_function_requests_total{function="a/b"} 2
faas_function_errors_total{function="a/b"} 2
faas_function_run_time_seconds_bucket{function="a/b",le="+Inf"} 2
faas_render_workers 0
faas_render_utilisation 0.0000
--- absent
# HELP faas_function_queue_time_seconds
faas_function_queue_time_seconds
faas_admit_
--- no_error_log
[alert]



=== TEST 3: faas_shared zones: size, items, evictions, expired
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_shared small 64k;
    faas_shared other 1m;
--- config
    location ~ ^/fn/(?<fn>[\w/]+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/fill.js
module.exports = function () {
    var i, big = new Array(2001).join('x'), end;
    for (i = 0; i < 100; i++) { shared.small.set('k' + i, big); }
    shared.other.set('a', 1, { ttl: 0.05 });
    shared.other.set('b', 2);
    end = Date.now() + 100;
    while (Date.now() < end) {}
    return String(shared.other.get('a'));
};
--- request eval
["GET /fn/fill", "GET /status?format=prometheus"]
--- response_body_like eval
["undefined", "faas_shared_evictions_total"]
--- metrics
faas_shared_size_bytes{zone="small"} 65536
faas_shared_size_bytes{zone="other"} 1048576
faas_shared_items{zone="other"} 1
faas_shared_expired_total{zone="other"} 1
faas_shared_evictions_total{zone="other"} 0
--- no_error_log
[alert]
