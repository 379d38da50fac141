# vi:filetype=perl

# faas_timeout and faas_memory: a runaway call costs one request, and the
# heap it ran in is rebuilt; the worker goes on serving

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: an endless loop is stopped: 504 within the budget
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_timeout 100ms;
    location /t { faas_pass loop; }
--- user_files
>>> fn/loop.js
module.exports = function () { while (true) {} };
--- request
GET /t
--- error_code: 504
--- response_body chomp
{"error":"function timed out"}
--- timeout: 2
--- error_log eval
[qr/\[error\] .*faas: function "loop" timed out after \d+ms \(faas_timeout 100ms\)/,
 qr/faas: heap of "\S+" reset/]
--- no_error_log
[alert]
[crit]



=== TEST 2: after a timeout the heap is fresh and the worker serves on
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_timeout 100ms;
    location ~ ^/t/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/loop.js
module.exports = function () { while (true) {} };
>>> fn/count.js
var n = 0;
module.exports = function () { return ++n; };
--- request eval
["GET /t/loop", "GET /t/count", "GET /t/count"]
--- error_code eval
[504, 200, 200]
--- response_body eval
['{"error":"function timed out"}', "1", "2"]
--- timeout: 2
--- no_error_log
[alert]
[crit]



=== TEST 3: a loop that catches the timeout error is stopped too
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_timeout 100ms;
    location /t { faas_pass stubborn; }
--- user_files
>>> fn/stubborn.js
module.exports = function () {
    for (;;) {
        try { while (true) {} } catch (e) { /* keep going */ }
    }
};
--- request
GET /t
--- error_code: 504
--- timeout: 2
--- error_log
faas: function "stubborn" timed out
--- no_error_log
[alert]
[crit]



=== TEST 4: an endless chain of promise jobs is stopped
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_timeout 100ms;
    location /t { faas_pass chain; }
--- user_files
>>> fn/chain.js
module.exports = function () {
    function again() { return Promise.resolve().then(again); }
    return again();
};
--- request
GET /t
--- error_code: 504
--- timeout: 10
--- error_log
faas: function "chain" timed out
--- no_error_log
[alert]
[crit]



=== TEST 5: faas_timeout at location level overrides the outer one
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 10s;
--- config
    location /t { faas_pass loop; faas_timeout 50ms; }
--- user_files
>>> fn/loop.js
module.exports = function () { while (true) {} };
--- request
GET /t
--- error_code: 504
--- timeout: 2
--- error_log
(faas_timeout 50ms)
--- no_error_log
[alert]



=== TEST 6: a heap over faas_memory: 500 naming the cap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 2m;
--- config
    location /t { faas_pass hog; }
--- user_files
>>> fn/hog.js
module.exports = function () {
    var keep = [];
    for (var i = 0; ; i++) { keep.push(new Array(1000).join('x') + i); }
};
--- request
GET /t
--- error_code: 500
--- response_body chomp
{"error":"function exceeded its memory limit"}
--- timeout: 5
--- error_log eval
[qr/\[error\] .*faas: function "hog" exceeded faas_memory 2048k: Error: alloc failed/,
 qr/faas: heap of "\S+" reset/]
--- no_error_log
[alert]
[crit]



=== TEST 7: after a heap over its cap the worker serves on, fresh heap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 2m;
--- config
    location ~ ^/t/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/hog.js
module.exports = function () {
    var keep = [];
    for (var i = 0; ; i++) { keep.push(new Array(1000).join('x') + i); }
};
>>> fn/count.js
var n = 0;
module.exports = function () { return ++n; };
--- request eval
["GET /t/hog", "GET /t/count", "GET /t/count"]
--- error_code eval
[500, 200, 200]
--- response_body eval
['{"error":"function exceeded its memory limit"}', "1", "2"]
--- timeout: 5
--- no_error_log
[alert]
[crit]



=== TEST 8: memory that is freed again stays within the cap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 2m;
--- config
    location /t { faas_pass churn; }
--- user_files
>>> fn/churn.js
module.exports = function () {
    var total = 0;
    for (var i = 0; i < 200; i++) {
        var tmp = new Array(10000).join('y');   /* ~10 KB, garbage at once */
        total += tmp.length;
    }
    return total;
};
--- request
GET /t
--- response_body chomp
1999800
--- no_error_log
[error]
[alert]
--- timeout: 20



=== TEST 9: deep recursion is an error of that call only
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass deep; }
--- user_files
>>> fn/deep.js
function down(n) { return down(n + 1) + 1; }
module.exports = function () { return down(0); };
--- request
GET /t
--- error_code: 500
--- error_log
faas: function "deep" failed: RangeError
--- no_error_log
[alert]
[crit]



=== TEST 10: blocks of every size class, grown and shrunk across the class bounds, keep their contents
the test is about contents, not speed: the budget is what a sanitizer
build needs (stopped at 1.5 s there by the default budget of 1 s)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 20s;
--- config
    location /t { faas_pass sizes; }
--- user_files
>>> fn/sizes.js
function pattern(n, seed) {
    var s = '', chunk = '';
    for (var i = 0; i < 64; i++) chunk += String.fromCharCode(97 + (i + seed) % 26);
    while (s.length + 64 <= n) s += chunk;
    return s + chunk.slice(0, n - s.length);
}
module.exports = function () {
    var sizes = [1, 15, 16, 17, 255, 256, 257, 320, 321, 1000, 4097, 16384,
                 16385, 65535, 65536, 65537, 100000], bad = [], i, j;
    for (i = 0; i < sizes.length; i++) {
        var s = pattern(sizes[i], i);
        if (s.length !== sizes[i]) bad.push('length ' + sizes[i]);
        for (j = 0; j < s.length; j += 997) {
            if (s.charCodeAt(j) !== 97 + (j % 64 + i) % 26) { bad.push('byte ' + j + ' of ' + sizes[i]); break; }
        }
    }
    /* an array grown one element at a time reallocates through every
       class and past the largest, then shrinks back below them */
    var a = [];
    for (i = 0; i < 10000; i++) a.push(i * 3);
    for (i = 0; i < 10000; i++) if (a[i] !== i * 3) { bad.push('element ' + i); break; }
    a.length = 20;
    Duktape.gc(); Duktape.compact(a);
    for (i = 0; i < 20; i++) if (a[i] !== i * 3) { bad.push('kept ' + i); break; }
    for (i = 20; i < 5000; i++) a.push(-i);
    if (a[4999] !== -4999 || a[19] !== 57) bad.push('regrown');
    return bad.length ? bad.join(', ') : 'ok ' + a.length;
};
--- request
GET /t
--- timeout: 30
--- response_body chomp
ok 5000
--- no_error_log
[error]
[alert]



=== TEST 11: $request_time counts the time the function ran
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t {
        faas_pass busy;
        add_header X-Request-Time $request_time always;
    }
--- user_files
>>> fn/busy.js
module.exports = function () {
    var start = Date.now();
    while (Date.now() - start < 150) {}
    return 'done';
};
--- request
GET /t
--- response_body chomp
done
--- response_headers_like
X-Request-Time: 0\.(1[5-9]|[2-9]\d)\d
--- no_error_log
[error]
