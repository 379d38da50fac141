# vi:filetype=perl

# The render pool's directives: bad values of faas_render_workers,
# faas_render and faas_admit stop nginx at start with an [emerg], a count
# that leaves no front worker is lowered (its [warn] goes to stderr before
# the error log opens: t/040-install.t sees it with nginx -t), a share
# (50%) is taken of worker_processes; a unix render socket's directory is
# made by the master, or nginx says which to create; with
# master_process off (one process) a render server is served inline; a
# server without faas_render is unchanged; faas_status counts calls; the
# $faas_* variables describe the call.
#
# The concurrent behaviour (render workers, queue, admission, reload,
# watchdog) needs master_process on and several clients at once: see
# t/021-render-pool.t. "accept_mutex on" is refused there too, since this
# runner writes the events block itself (with accept_mutex off).

use Test::Nginx::Socket 'no_plan';

# a second port, for a render listener beside the test server
$ENV{TEST_NGINX_RENDER_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 20;
$ENV{TEST_NGINX_FRONT_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 21;

# two workers: faas_render_workers must leave one of them in front
workers(2);

# counters live in shared memory for the life of nginx: one round each
repeat_each(1);
no_long_string();
run_tests();

__DATA__

=== TEST 1: faas_render_workers as large as worker_processes is lowered to leave a front worker
--- main_config
    faas_render_workers 2;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location = /status { faas_status; }
--- request
GET /status
--- response_body_like: "render_pool":\{[^}]*"workers":1\}
--- no_error_log
[error]



=== TEST 2: faas_render_workers larger than worker_processes is lowered too
--- main_config
    faas_render_workers 5;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location = /status { faas_status; }
--- request
GET /status
--- response_body_like: "render_pool":\{[^}]*"workers":1\}
--- no_error_log
[error]



=== TEST 3: faas_render_workers that is not a number
--- main_config
    faas_render_workers x;
--- config
--- must_die
--- error_log
invalid value "x" in "faas_render_workers" directive, it must be a number of workers or a share of them from 0% to 100%



=== TEST 4: a negative faas_render_workers
--- main_config
    faas_render_workers -1;
--- config
--- must_die
--- error_log
invalid value "-1" in "faas_render_workers" directive



=== TEST 5: faas_render_workers belongs to the main context
--- http_config
    faas_render_workers 1;
--- config
--- must_die
--- error_log
"faas_render_workers" directive is not allowed here



=== TEST 6: render workers without any render server
--- main_config
    faas_render_workers 1;
--- config
    location /ping { return 200 "pong"; }
--- must_die
--- error_log
"faas_render_workers" is set but no server has "faas_render on"



=== TEST 7: faas_render off is no render server either
--- main_config
    faas_render_workers 1;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render off;
        location / { return 200; }
    }
--- config
--- must_die
--- error_log
"faas_render_workers" is set but no server has "faas_render on"



=== TEST 8: a render listener must not be reuseport
--- main_config
    faas_render_workers 1;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT reuseport;
        faas_render on;
        location / { return 200; }
    }
--- config
--- must_die
--- error_log eval
qr/render listener "127\.0\.0\.1:\d+" must not be "reuseport": render workers share one queue/



=== TEST 9: faas_render neither on nor off
--- config
    faas_render maybe;
--- must_die
--- error_log
invalid value "maybe" in "faas_render" directive, it must be "on" or "off"



=== TEST 10: faas_render belongs to a server
--- config
    location /x { faas_render on; }
--- must_die
--- error_log
"faas_render" directive is not allowed here



=== TEST 11: faas_admit without render workers
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
--- config
    location /r { faas_admit; proxy_pass http://render; }
--- must_die
--- error_log
"faas_admit" needs "faas_render_workers"



=== TEST 12: faas_admit with faas_render_workers 0
--- main_config
    faas_render_workers 0;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /r { faas_admit; proxy_pass http://render; }
--- must_die
--- error_log
"faas_admit" needs "faas_render_workers"



=== TEST 13: faas_admit with a budget that is not a time
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /r { faas_admit budget=x; proxy_pass http://render; }
--- must_die
--- error_log
invalid budget "x" in "faas_admit" directive, it must be a time greater than zero



=== TEST 14: faas_admit with a budget of zero
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /r { faas_admit budget=0; proxy_pass http://render; }
--- must_die
--- error_log
invalid budget "0" in "faas_admit" directive, it must be a time greater than zero



=== TEST 15: faas_admit with an unknown parameter
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /r { faas_admit foo; proxy_pass http://render; }
--- must_die
--- error_log
invalid parameter "foo" in "faas_admit" directive



=== TEST 16: faas_admit twice in one location
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /r { faas_admit; faas_admit budget=2s; proxy_pass http://render; }
--- must_die
--- error_log
"faas_admit" directive is duplicate



=== TEST 16a: a 65th faas_admit location has no slot of its own
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config eval
join '', map { "location /r$_ { faas_admit; proxy_pass http://render; }\n" }
         0 .. 64
--- must_die
--- error_log
too many "faas_admit" locations, at most 64



=== TEST 16b: 64 faas_admit locations, each its own slot in faas_status
--- main_config
    faas_render_workers 1;
--- http_config
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config eval
join('', map { "location /r$_ { faas_admit; proxy_pass http://render; }\n" }
          0 .. 63)
. "location /status { faas_status; }\n"
--- request
GET /status
--- response_body_like eval
qr/"admission":\[\{"admitted":0,"average_ms":0(?:\.0+)?,"location":"\/r0","refused":0\},(?:\{[^}]*\},){62}\{"admitted":0,"average_ms":0(?:\.0+)?,"location":"\/r63","refused":0\}\]/
--- no_error_log
[emerg]
[error]



=== TEST 17: a valid render pool configuration starts
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT backlog=16;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location /r/ { faas_admit budget=500ms; proxy_pass http://render/; }
    location /ping { return 200 "pong"; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
--- request
GET /ping
--- response_body chomp
pong
--- no_error_log
[emerg]
[alert]
[error]



=== TEST 18: master_process off: a render server answers inline, one request per connection
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_render on;
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
--- user_files
>>> fn/hello.js
module.exports = function (ctx) { return { message: 'hi ' + ctx.query.name }; };
--- request
GET /fn/hello?name=bob
--- more_headers
Connection: keep-alive
--- response_headers
Content-Type: application/json
Connection: close
--- response_body chomp
{"message":"hi bob"}
--- no_error_log
[error]
[alert]



=== TEST 19: through the front: faas_admit and proxy_pass to the render server, in one process
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ {
            faas_pass $fn;
            add_header X-Queued $faas_queue_time;
        }
    }
--- config
    location /r/ { faas_admit budget=500ms; proxy_pass http://render/; }
--- user_files
>>> fn/hello.js
module.exports = function (ctx) { return 'hello ' + ctx.query.name; };
--- request eval
["GET /r/hello?name=a", "GET /r/hello?name=b"]
--- response_body eval
["hello a", "hello b"]
--- response_headers_like eval
["X-Queued: \\d+\\.\\d{3}", "X-Queued: \\d+\\.\\d{3}"]
--- no_error_log
[error]
[alert]
refused



=== TEST 20: a server without faas_render keeps its keep-alive connections
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location /hello { faas_pass hello; }
    location /ping { return 200 "pong"; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
--- pipelined_requests eval
["GET /ping", "GET /hello", "GET /ping"]
--- response_body eval
["pong", "hello", "pong"]
--- no_error_log
[error]
[alert]



=== TEST 21: the module loaded, no faas directive: nothing changes
--- config
    location /ping { return 200 "pong"; }
--- pipelined_requests eval
["GET /ping", "GET /ping"]
--- response_body eval
["pong", "pong"]
--- no_error_log
[error]
[alert]
faas



=== TEST 22: faas_status counts the calls of each function
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 100ms;
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
>>> fn/spin.js
module.exports = function () { for (;;) {} };
--- request eval
["GET /fn/hello", "GET /fn/hello", "GET /fn/hello", "GET /fn/boom",
 "GET /fn/spin", "GET /fn/nosuch", "GET /status"]
--- error_code eval
[200, 200, 200, 500, 504, 404, 200]
--- response_body_like eval
["hello", "hello", "hello", "function failed", "timed out",
 "function not found",
 qr/^\{"admission":\[\],"batch_cache":\[\],"functions":\{"boom":\{"deferred":0,"errors":1,"heap_resets":0,"killed":0,"late":false,"requests":1,"run_time_ms":\{"average":[\d.]+,"p50":[\d.]+,"p99":[\d.]+\},"timeouts":0\},"hello":\{"deferred":0,"errors":0,"heap_resets":0,"killed":0,"late":false,"requests":3,"run_time_ms":\{"average":[\d.]+,"p50":[\d.]+,"p99":[\d.]+\},"timeouts":0\},"spin":\{"deferred":0,"errors":1,"heap_resets":1,"killed":0,"late":true,"requests":1,"run_time_ms":\{"average":[\d.]+,"p50":[\d.]+,"p99":[\d.]+\},"timeouts":1\}\},"render_pool":\{"busy":0,"utilisation":0(?:\.0+)?,"waiting":0,"workers":0\},"schedules":\[\],"shared":\{\},"workers":\[\{"busy":false,"function_evictions":0,"function_loads":\d+,"heap_bytes":\d+,"modules":\d+,"pid":\d+,"render":false,"requests":6,"running":null,"worker":0\}/s]
--- no_error_log
[alert]



=== TEST 23: faas_status in Prometheus text
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
--- request eval
["GET /fn/hello", "GET /fn/hello", "GET /fn/boom", "GET /status?format=prometheus"]
--- error_code eval
[200, 200, 500, 200]
--- response_headers_like eval
["", "", "", "Content-Type: text/plain; version=0\\.0\\.4"]
--- response_body_like eval
["hello", "hello", "function failed",
 qr/^faas_function_requests_total\{function="hello"\} 2$
.*^faas_function_errors_total\{function="hello"\} 0$
.*^faas_function_timeouts_total\{function="hello"\} 0$
.*^faas_function_heap_resets_total\{function="hello"\} 0$
.*^faas_function_run_time_seconds_bucket\{function="hello",le="0\.0001"\} \d$
.*^faas_function_run_time_seconds_bucket\{function="hello",le="\+Inf"\} 2$
.*^faas_function_run_time_seconds_sum\{function="hello"\} \d+(?:\.\d+)?$
.*^faas_function_run_time_seconds_count\{function="hello"\} 2$
.*^faas_render_workers 0$
.*^faas_render_busy 0$
.*^faas_render_waiting 0$
.*^faas_worker_requests_total\{worker="0"\} 3$/ms]
--- no_error_log
[alert]



=== TEST 24: faas_status: errors of a function in Prometheus text
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
--- request eval
["GET /fn/boom", "GET /fn/boom", "GET /status?format=prometheus"]
--- error_code eval
[500, 500, 200]
--- response_body_like eval
["function failed", "function failed",
 qr/^faas_function_requests_total\{function="boom"\} 2\n.*^faas_function_errors_total\{function="boom"\} 2\n/ms]
--- no_error_log
[alert]



=== TEST 25: faas_status in a render pool configuration, one process
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_render on;
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location /status { faas_status; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'hello'; };
--- request eval
["GET /fn/hello", "GET /status"]
--- response_body_like eval
["hello", qr/"hello":\{"deferred":0,"errors":0,"heap_resets":0,"killed":0,"late":false,"requests":1,.*"render_pool":\{"busy":0,"utilisation":0(?:\.0+)?,"waiting":0,"workers":1\}/]
--- no_error_log
[alert]



=== TEST 26: faas_status answers only GET and HEAD
--- config
    location /status { faas_status; }
--- request
POST /status
hello
--- error_code: 405



=== TEST 27: $faas_function, $faas_status and $faas_run_time after a call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 100ms;
--- config
    location ~ ^/fn/(?<fn>\w+)$ {
        faas_pass $fn;
        add_header X-Fn "[$faas_function]" always;
        add_header X-Status "[$faas_status]" always;
        add_header X-Run-Time "[$faas_run_time]" always;
    }
--- user_files
>>> fn/slow.js
module.exports = function () {
    var s = Date.now();
    while (Date.now() - s < 30) {}
    return 'slow';
};
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
>>> fn/spin.js
module.exports = function () { for (;;) {} };
>>> fn/bad.js
module.exports = function () { return function () {}; };
--- request eval
["GET /fn/slow", "GET /fn/boom", "GET /fn/spin", "GET /fn/nosuch", "GET /fn/bad"]
--- error_code eval
[200, 500, 504, 404, 500]
--- response_headers_like eval
["X-Fn: \\[slow\\]\nX-Status: \\[ok\\]\nX-Run-Time: \\[(?:2\\d|[3-9]\\d|\\d{3,})\\.\\d{3}\\]",
 "X-Fn: \\[boom\\]\nX-Status: \\[exception\\]\nX-Run-Time: \\[\\d+\\.\\d{3}\\]",
 "X-Fn: \\[spin\\]\nX-Status: \\[timeout\\]\nX-Run-Time: \\[(?:\\d{3,})\\.\\d{3}\\]",
 "X-Status: \\[not_found\\]",
 "X-Fn: \\[bad\\]\nX-Status: \\[bad_result\\]"]



=== TEST 28: the $faas_* variables are empty where no function ran
--- config
    location /ping {
        return 200 "pong";
        add_header X-Vars "[$faas_function][$faas_status][$faas_run_time][$faas_queue_time]";
    }
--- request
GET /ping
--- response_headers
X-Vars: [][][][]
--- response_body chomp
pong



=== TEST 29: faas_render_workers as a share of worker_processes
--- main_config
    faas_render_workers 50%;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location = /status { faas_status; }
--- request
GET /status
--- response_body_like: "render_pool":\{[^}]*"workers":1\}
--- no_error_log
leaves no front worker
[error]



=== TEST 30: a share of 100% still leaves one front worker, without a warning
--- main_config
    faas_render_workers 100%;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
--- config
    location = /status { faas_status; }
--- request
GET /status
--- response_body_like: "render_pool":\{[^}]*"workers":1\}
--- no_error_log
[warn]
[error]



=== TEST 31: a share of 0% is no render pool
--- main_config
    faas_render_workers 0%;
--- config
    location = /status { faas_status; }
--- request
GET /status
--- response_body_like: "render_pool":\{[^}]*"workers":0\}
--- no_error_log
[error]



=== TEST 32: a share over 100%
--- main_config
    faas_render_workers 150%;
--- config
--- must_die
--- error_log
invalid value "150%" in "faas_render_workers"



=== TEST 33: a share that is not a number
--- main_config
    faas_render_workers x%;
--- config
--- must_die
--- error_log
invalid value "x%" in "faas_render_workers"



=== TEST 34: a render unix socket in a directory nobody made: the master makes it
--- main_config
    faas_render_workers 1;
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/faas-run/render.sock;
        faas_render on;
        location / { return 200 "rendered\n"; }
    }
--- config
    location /r {
        proxy_pass http://unix:$TEST_NGINX_SERVER_ROOT/faas-run/render.sock:/;
    }
--- request
GET /r
--- response_body
rendered
--- no_error_log
[error]



=== TEST 35: a render unix socket whose directory's parent is missing
--- main_config
    faas_render_workers 1;
--- http_config
    server {
        listen unix:$TEST_NGINX_SERVER_ROOT/no/such/render.sock;
        faas_render on;
        location / { return 200; }
    }
--- config
--- must_die
--- error_log eval
qr{render listener "unix:[^"]+/no/such/render\.sock": create its directory "[^"]+/no/such" \(its parent does not exist either\)}



=== TEST 36: a front listener must not be reuseport with a render pool
--- main_config
    faas_render_workers 1;
--- http_config
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location / { return 200; }
    }
    server {
        listen 127.0.0.1:$TEST_NGINX_FRONT_PORT reuseport;
        location / { return 200; }
    }
--- config
--- must_die
--- error_log eval
qr/listener "127\.0\.0\.1:\d+" must not be "reuseport" with "faas_render_workers": render workers would hold a share of its connections and never accept them/
