# vi:filetype=perl

# faas_schedule: what nginx -t refuses, and the budgets of a run

use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
run_tests();

__DATA__

=== TEST 1: an interval that is not a time
--- config
    location /j { faas_functions $TEST_NGINX_SERVER_ROOT/html/fn; faas_schedule often tick; }
--- user_files
>>> fn/tick.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "often" in "faas_schedule" directive, it must be a time greater than zero



=== TEST 2: an invalid function name
--- config
    location /j { faas_functions $TEST_NGINX_SERVER_ROOT/html/fn; faas_schedule 1s ../tick; }
--- user_files
>>> fn/tick.js
module.exports = function () {};
--- must_die
--- error_log
invalid function name "../tick" in "faas_schedule" directive



=== TEST 3: a hook is not a function to schedule
--- config
    location /j { faas_functions $TEST_NGINX_SERVER_ROOT/html/fn; faas_schedule 1s __init__; }
--- user_files
>>> fn/__init__.js
module.exports = function () {};
--- must_die
--- error_log
invalid function name "__init__" in "faas_schedule" directive



=== TEST 4: no faas_functions for it
--- config
    location /j { faas_schedule 1s tick; }
--- must_die
--- error_log
"faas_schedule 1000 tick" needs "faas_functions" in its location or an enclosing block



=== TEST 5: no such function
--- config
    location /j { faas_functions $TEST_NGINX_SERVER_ROOT/html/fn; faas_schedule 1s nope; }
--- user_files
>>> fn/tick.js
module.exports = function () {};
--- must_die
--- error_log
faas_preload "nope": no such function in



=== TEST 6: a syntax error is found by nginx -t
--- config
    location /j { faas_functions $TEST_NGINX_SERVER_ROOT/html/fn; faas_schedule 1s tick; }
--- user_files
>>> fn/tick.js
module.exports = function ( {};
--- must_die
--- error_log
faas_preload "tick": SyntaxError



=== TEST 7: only in a location
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_schedule 1s tick;
--- config
--- user_files
>>> fn/tick.js
module.exports = function () {};
--- must_die
--- error_log
"faas_schedule" directive is not allowed here



=== TEST 8: a run over faas_timeout is stopped and logged (t/063 counts failed runs)
--- http_config
    faas_shared s 64k;
--- config
    location /j {
        faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
        faas_timeout 50ms;
        faas_schedule 100ms spin;
    }
    location = /status { faas_status; }
--- user_files
>>> fn/spin.js
module.exports = function () { for (;;) {} };
--- request
GET /status
--- wait: 0.5
--- error_log eval
qr/\[error\].*faas: function "spin" timed out after \d+ms \(faas_timeout 50ms\), faas_schedule: "spin", request_id: "[0-9a-f]{32}"/



=== TEST 9: a run that waits on a timer keeps its lease until it ends: the runs due meanwhile are skipped
--- http_config
    faas_shared s 64k;
--- config
    location /j {
        faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
        faas_schedule 100ms wait;
    }
    location = /ok { return 200 ok; }
--- user_files
>>> fn/wait.js
module.exports = function () {
    if (shared.s.incr('active') > 1) { shared.s.incr('overlap'); }
    return new Promise(function (resolve) {
        setTimeout(function () {
            shared.s.incr('active', -1);
            resolve();
        }, 250);
    });
};
--- request
GET /ok
--- wait: 1
--- error_log eval
[qr/faas: scheduled run of "wait" done in \d+us, faas_schedule: "wait"/,
 qr/faas: schedule "wait" skipped a run, the one before is still running in process \d+/]
--- no_error_log
[error]



=== TEST 10: fetch() in a scheduled run is a TypeError: there is no request to fetch from
--- config
    location /j {
        faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
        faas_schedule 100ms f;
    }
    location = /ok { return 200 ok; }
--- user_files
>>> fn/f.js
module.exports = function () { return fetch('/x'); };
--- request
GET /ok
--- wait: 0.3
--- error_log eval
qr/\[error\].*faas: function "f" failed: TypeError: fetch: only a call can fetch.*faas_schedule: "f", request_id: "[0-9a-f]{32}"/
