# vi:filetype=perl

# setTimeout, setInterval, their clear*(), queueMicrotask: a call waits on
# nginx timers while its worker serves on; faas_deadline bounds the wait,
# faas_timeout the JavaScript run time of all the call's slices together

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: an async function awaits a timer
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass sleep; }
--- user_files
>>> fn/sleep.js
function sleep(ms, v) {
    return new Promise(function (resolve) { setTimeout(resolve, ms, v); });
}
module.exports = function (ctx) {
    var t0 = Date.now();
    return sleep(100, 'late').then(function (v) {
        return { v: v, waited: Date.now() - t0 >= 95,
                 query: ctx.query.q, path: ctx.path };
    });
};
--- request
GET /t?q=1
--- response_body chomp
{"v":"late","waited":true,"query":"1","path":"/t"}
--- no_error_log
[error]
[alert]



=== TEST 2: clearTimeout: a cleared callback never runs
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass clear; }
--- user_files
>>> fn/clear.js
module.exports = function () {
    var ran = [];
    return new Promise(function (resolve) {
        var a = setTimeout(function () { ran.push('a'); }, 20);
        var b = setTimeout(function () { ran.push('b'); }, 30);
        setTimeout(function () { clearTimeout(b); }, 1);
        clearTimeout(a);
        clearTimeout(12345);
        clearTimeout('x');
        setTimeout(function () { resolve({ ran: ran, id: typeof a }); }, 60);
    });
};
--- request
GET /t
--- response_body chomp
{"ran":[],"id":"number"}
--- no_error_log
[error]



=== TEST 3: setInterval runs until cleared, with its arguments
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass tick; }
--- user_files
>>> fn/tick.js
module.exports = function () {
    return new Promise(function (resolve) {
        var n = 0, seen;
        var id = setInterval(function (a, b) {
            seen = a + b;
            if (++n === 5) {
                clearInterval(id);
                setTimeout(function () { resolve({ n: n, seen: seen }); }, 50);
            }
        }, 10, 'x', 'y');
    });
};
--- request
GET /t
--- response_body chomp
{"n":5,"seen":"xy"}
--- no_error_log
[error]



=== TEST 4: queueMicrotask runs in order with promise jobs, before timers
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass order; }
--- user_files
>>> fn/order.js
module.exports = function () {
    var log = [];
    return new Promise(function (resolve) {
        setTimeout(function () { log.push('timer'); resolve(log); }, 0);
        queueMicrotask(function () { log.push('micro 1'); });
        Promise.resolve().then(function () {
            log.push('then 1');
            queueMicrotask(function () { log.push('micro 3'); });
        });
        queueMicrotask(function () { log.push('micro 2'); });
        log.push('sync');
    });
};
--- request
GET /t
--- response_body chomp
["sync","micro 1","then 1","micro 2","micro 3","timer"]
--- no_error_log
[error]



=== TEST 5: timers of a call are cleared when it answers
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass fire; }
--- user_files
>>> fn/fire.js
module.exports = function () {
    setTimeout(function () { console.error('late timer ran'); }, 50);
    setInterval(function () { console.error('late interval ran'); }, 40);
    return new Promise(function (resolve) { setTimeout(resolve, 20, 'ok'); });
};
--- request
GET /t
--- wait: 0.3
--- response_body chomp
ok
--- no_error_log
late timer ran
late interval ran
[alert]



=== TEST 6: past faas_deadline: 504, its own status name, timers cleared
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass slow; faas_deadline 200ms;
                  add_header X-Faas-Status $faas_status always; }
--- user_files
>>> fn/slow.js
module.exports = function () {
    setInterval(function () {}, 20);
    return new Promise(function (resolve) {
        setTimeout(function () { console.error('slow timer ran'); resolve(1); },
                   800);
    });
};
--- request
GET /t
--- wait: 1
--- error_code: 504
--- response_headers
X-Faas-Status: deadline
--- response_body_like chomp
"error":"function missed its deadline"
--- error_log eval
qr/\[error\] .*faas: function "slow" still waiting after faas_deadline 200ms/
--- no_error_log
slow timer ran
[alert]



=== TEST 7: faas_timeout is the run time of all the slices of a call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass slices; faas_timeout 150ms; }
--- user_files
>>> fn/slices.js
function spin(ms) { var t = Date.now(); while (Date.now() - t < ms) {} }
module.exports = function () {
    var n = 0;
    return new Promise(function (resolve) {
        function step() {
            spin(60);
            if (++n === 4) { resolve(n); return; }
            setTimeout(step, 5);
        }
        step();
    });
};
--- request
GET /t
--- error_code: 504
--- response_body_like chomp
"error":"function timed out"
--- error_log eval
qr/faas: function "slices" timed out after (?:1[5-9]\d|[2-9]\d\d)ms \(faas_timeout 150ms\)/
--- no_error_log
[alert]



=== TEST 8: what a timer callback throws fails its call, with the stack
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass throws; }
--- user_files
>>> fn/throws.js
module.exports = function () {
    return new Promise(function () {
        setTimeout(function boom() { throw new Error('tick failed'); }, 10);
    });
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr/\[error\] .*faas: function "throws" failed: Error: tick failed \| at boom \(.*throws\.js:3\)/
--- no_error_log
[alert]



=== TEST 9: timers need a function, and a call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass bad; }
--- user_files
>>> fn/bad.js
module.exports = function () {
    var r = {};
    try { setTimeout('code', 1); } catch (e) { r.string = e.name; }
    try { queueMicrotask(1); } catch (e) { r.micro = e.name; }
    return r;
};
--- request
GET /t
--- response_body chomp
{"string":"TypeError","micro":"TypeError"}
--- no_error_log
[error]



=== TEST 10: a waiting call whose client goes is dropped with its timers
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass gone; }
--- user_files
>>> fn/gone.js
module.exports = function () {
    return new Promise(function (resolve) {
        setTimeout(function () { console.error('gone timer ran'); resolve(1); },
                   500);
    });
};
--- request
GET /t
--- timeout: 0.2
--- abort
--- wait: 0.6
--- ignore_response
--- error_log
waiting call of "gone" dropped
--- no_error_log
gone timer ran
[alert]



=== TEST 11: a memory bomb resets the heap: a call waiting in it gets 503
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 8m;
--- config
    location /wait { mirror /bomb-later; faas_pass wait;
                     add_header X-Faas-Status $faas_status always; }
    location /bomb-later { internal;
                           proxy_pass http://127.0.0.1:$server_port/bomb; }
    location /bomb { faas_pass bomb; }
--- user_files
>>> fn/wait.js
module.exports = function () {
    return new Promise(function (resolve) {
        setTimeout(function () { console.error('wait timer ran'); resolve(1); },
                   1000);
    });
};
>>> fn/bomb.js
module.exports = function () {
    var a = [], s = 'x';
    for (;;) { s += s; a.push(s); }
};
--- request
GET /wait
--- error_code: 503
--- response_headers
X-Faas-Status: heap_reset
--- response_body_like chomp
"error":"function interrupted, its heap was reset"
--- error_log eval
[qr/\[error\] .*faas: function "wait" interrupted while it waited: its heap was reset by another call/,
 qr/faas: function "bomb" exceeded faas_memory/]
--- no_error_log
wait timer ran
[alert]



=== TEST 12: a call that answers at once releases a call waiting on a promise they share
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /wait { mirror /release-later; faas_pass shared; }
    location /release-later { internal;
        proxy_pass http://127.0.0.1:$server_port/release; }
    location /release { faas_pass shared; }
--- user_files
>>> fn/shared.js
var waiters = [];
module.exports = function (ctx) {
    if (ctx.path === '/wait') {
        /* something awaited in the heap, or the promise could never settle */
        setTimeout(function () { console.error('keeper ran'); }, 3000);
        return new Promise(function (resolve) { waiters.push(resolve); });
    }
    waiters.splice(0).forEach(function (resolve) { resolve('released'); });
    return 'done';
};
--- request
GET /wait
--- timeout: 1.5
--- response_body chomp
released
--- no_error_log
keeper ran
[error]
[alert]



=== TEST 13: a call waits while nothing holds its ctx: the collector runs in its jobs
ctx.self = ctx makes a cycle that only mark-and-sweep frees; the job
allocates until it runs. The module stashes ctx when the call starts to
wait: it must still be there (it was freed, then stashed: a worker crashed
under load, heap-use-after-free under make test-sanitize)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass loose; }
--- user_files
>>> fn/loose.js
module.exports = function (ctx) {
    ctx.self = ctx;
    Promise.resolve().then(function () {
        var junk = [];
        for (var i = 0; i < 20000; i++) { junk.push({ i: i, s: 'x' + i }); }
    });
    return new Promise(function (resolve) { setTimeout(resolve, 1, 'ok'); });
};
--- request eval
[("GET /t") x 40]
--- response_body eval
[("ok") x 40]
--- no_error_log
[error]
[alert]



=== TEST 14: a timer put off to a later turn is taken out when its call ends first
Two timers come due after a callback that spins 3 ms (past the 250 us a
turn spends): both are put off. The first one's callback throws, which
ends the call; the second, still waiting for its turn in the module's
queue, is cleared with the call's timers and never runs (under make
test-sanitize, an event left in the queue after its call is gone is a use
after free)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass put; }
--- user_files
>>> fn/put.js
module.exports = function () {
    return new Promise(function () {
        setTimeout(function () {
            var t = Date.now();
            while (Date.now() - t < 4) { /* spin */ }
        }, 0);
        setTimeout(function () { throw new Error('first of the two'); }, 1);
        setTimeout(function () { console.error('second of the two ran'); }, 1);
    });
};
--- request
GET /t
--- wait: 0.1
--- error_code: 500
--- grep_error_log eval
qr/this turn ran \d+ of the 2 events put off/
--- grep_error_log_out
this turn ran 1 of the 2 events put off
--- error_log
first of the two
--- no_error_log
second of the two ran
[alert]



=== TEST 15: ids: whole numbers that grow; the id of a timer that ended clears nothing, not even the timer set after it; anything else clears nothing either
b is set in a's callback, once a's reference is free for it to take:
clearing a's id then must leave b alone. clearTimeout also clears an
interval, as in browsers and Node
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass ids; }
--- user_files
>>> fn/ids.js
module.exports = function () {
    return new Promise(function (resolve) {
        var log = [], a, b, c;
        a = setTimeout(function () {
            log.push('a');
            b = setTimeout(function (x, y) { log.push('b' + x + y); }, 5, 1, 2);
            clearTimeout(a);
            clearInterval(a);
            [b + 0.5, String(b), -b, 0, NaN, Infinity, undefined, null, {},
             [b]].forEach(function (v) { clearTimeout(v); clearInterval(v); });
            c = setInterval(function () { log.push('c'); }, 1);
            clearTimeout(c);
            setTimeout(function () {
                resolve({ log: log, grow: a < b && b < c,
                          whole: [a, b, c].every(function (v) {
                              return typeof v === 'number' && v === Math.floor(v) && v > 0;
                          }) });
            }, 20);
        }, 0);
    });
};
--- request
GET /t
--- response_body chomp
{"log":["a","b12"],"grow":true,"whole":true}
--- no_error_log
[error]
[alert]
