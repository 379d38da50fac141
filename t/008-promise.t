# vi:filetype=perl

# Promise is provided by the runtime; every pending job runs before the
# answer is sent, so ES5 output of async functions works

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: a promise resolves to the answer
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /p { faas_pass p; }
--- user_files
>>> fn/p.js
module.exports = function (ctx) {
    return new Promise(function (resolve) { resolve({ ok: true }); })
        .then(function (v) { v.chained = 1; return v; })
        .then(function (v) { return Promise.resolve(v); });
};
--- request
GET /p
--- response_headers
Content-Type: application/json
--- response_body chomp
{"ok":true,"chained":1}
--- no_error_log
[error]
[alert]



=== TEST 2: an async function as an ES5 transpiler writes it
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /a { faas_pass a; }
--- user_files
>>> fn/a.js
/* the shape of transpiled `async function (ctx) { ... await ... }`:
 * a state machine driven by a step function through then() */
function awaiter(thisArg, body) {
    var P = Promise;
    function adopt(v) { return v instanceof P ? v : new P(function (r) { r(v); }); }
    return new P(function (resolve, reject) {
        var state = { label: 0, sent: undefined, error: undefined };
        function step(kind, value) {
            var op;
            state.sent = value;
            state.error = kind === 'throw' ? value : undefined;
            try { op = body.call(thisArg, state); } catch (e) { reject(e); return; }
            if (op.done) { resolve(op.value); return; }
            adopt(op.value).then(function (v) { step('next', v); },
                                 function (e) { step('throw', e); });
        }
        step('next');
    });
}

function lookup(id) {
    return new Promise(function (resolve) { resolve(id * 10); });
}

module.exports = function (ctx) {
    var a, b, all;
    return awaiter(this, function (s) {
        switch (s.label) {
        case 0: s.label = 1; return { value: lookup(Number(ctx.query.id)) };
        case 1: a = s.sent; s.label = 2; return { value: Promise.reject(new Error('inner')) };
        case 2: b = s.error ? s.error.message : 'none';
                s.label = 3; return { value: Promise.all([lookup(1), 2, lookup(3)]) };
        case 3: all = s.sent; return { done: true, value: { a: a, b: b, all: all } };
        }
    });
};
--- request
GET /a?id=4
--- response_body chomp
{"a":40,"b":"inner","all":[10,2,30]}
--- no_error_log
[error]
[alert]



=== TEST 3: jobs queued by a synchronous handler run before the answer
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /j { faas_pass j; }
--- user_files
>>> fn/j.js
module.exports = function () {
    var answer = { steps: ['sync'] };
    Promise.resolve().then(function () { answer.steps.push('job 1'); })
        .then(function () { answer.steps.push('job 2'); });
    return answer;
};
--- request
GET /j
--- response_body chomp
{"steps":["sync","job 1","job 2"]}
--- no_error_log
[error]
[alert]



=== TEST 4: a promise that never settles is 500, not a hang
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /n { faas_pass never; }
--- user_files
>>> fn/never.js
module.exports = function () { return new Promise(function () {}); };
--- request
GET /n
--- error_code: 500
--- error_log
faas: function "never" failed: Error: the promise of the function never settled
--- no_error_log
[alert]



=== TEST 5: a foreign thenable is adopted
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () {
    return { then: function (resolve) { resolve('from a thenable'); } };
};
--- request
GET /t
--- response_body chomp
from a thenable
--- no_error_log
[error]
[alert]



=== TEST 6: Promise.all, race, allSettled, then a Response
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /s { faas_pass s; }
--- user_files
>>> fn/s.js
module.exports = function () {
    var slow = Promise.resolve().then(function () { return 'slow'; });
    return Promise.all([
        Promise.race([slow, 'fast']),
        Promise.allSettled([Promise.reject(new Error('no')), 1])
    ]).then(function (r) {
        var settled = r[1].map(function (x) { return x.status; }).join('+');
        return new Response(r[0] + ' ' + settled, { status: 203 });
    });
};
--- request
GET /s
--- error_code: 203
--- response_body chomp
fast rejected+fulfilled
--- no_error_log
[error]
[alert]



=== TEST 7: module state set by a job persists to the next request
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /m { faas_pass m; }
--- user_files
>>> fn/m.js
var seen = 'nothing';
module.exports = function (ctx) {
    var before = seen;
    Promise.resolve(ctx.query.v).then(function (v) { seen = v; });
    return before;
};
--- request eval
["GET /m?v=first", "GET /m?v=second"]
--- response_body eval
[qr/^(nothing|second)$/, "first"]
--- no_error_log
[error]
[alert]



=== TEST 8: Promise.all over values, promises settled and not, a then of its own, a counted constructor, a subclass, a thenable and a patched Promise.prototype.then, in the order of the standard (Node 20 gives the same log)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /pa { faas_pass pa; }
--- user_files
>>> fn/pa.js
module.exports = function () {
    var log = [];
    function note(s) { return function (v) { log.push(s + ':' + JSON.stringify(v)); return v; }; }
    var pending = new Promise(function (r) { Promise.resolve().then(function () { r('late'); }); });
    var patched = Promise.resolve('own');
    patched.then = function (f, r) { log.push('own then'); return Promise.prototype.then.call(this, f, r); };
    var gets = 0;
    var counted = Promise.resolve('ctor');
    Object.defineProperty(counted, 'constructor', { get: function () { gets++; return Promise; } });
    function Sub(ex) { return new Promise(ex); }
    var sub = Promise.resolve('sub');
    sub.constructor = Sub;
    var thenable = { then: function (f) { log.push('thenable'); f('th'); } };
    var a = Promise.all([1, Promise.resolve(2), pending, patched, counted, sub, thenable]).then(note('all'));
    var b = Promise.all([pending, Promise.reject(new Error('no')), 3]).then(note('never'), function (e) { log.push('rejected:' + e.message); });
    var c = Promise.all([]).then(note('empty'));
    Promise.resolve().then(function () { log.push('tick1'); }).then(function () { log.push('tick2'); }).then(function () { log.push('tick3'); });
    var orig = Promise.prototype.then, calls = 0;
    var d = Promise.all([Promise.resolve('p')]);
    return Promise.all([a, b, c, d]).then(function (r) {
        Promise.prototype.then = function (f, g) { calls++; return orig.call(this, f, g); };
        var e = Promise.all([Promise.resolve('q')]);
        Promise.prototype.then = orig;
        return e.then(function (q) {
            log.push('gets:' + gets, 'patched calls:' + calls, 'q:' + q, 'd:' + r[3]);
            return log;
        });
    });
};
--- request
GET /pa
--- response_body chomp
["own then","thenable","empty:[]","tick1","rejected:no","tick2","tick3","all:[1,2,\"late\",\"own\",\"ctor\",\"sub\",\"th\"]","gets:2","patched calls:1","q:q","d:p"]
--- no_error_log
[error]
[alert]



=== TEST 9: two apps' heaps take turns, each with its own Promise: a call of one waits on a timer and a fetch while the other runs
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/a;
--- config
    location /a { faas_pass f; }
    location /b { faas_functions $TEST_NGINX_SERVER_ROOT/html/b; faas_pass f; }
    location = /x { return 200 x; }
--- user_files
>>> a/f.js
Promise.prototype.app = 'a';
module.exports = function () {
    var later = new Promise(function (r) { setTimeout(function () { r('a later'); }, 5); });
    var f = fetch('/x');
    return Promise.all([later, Promise.resolve('a now'), f]).then(function (v) {
        return v[0] + ',' + v[1] + ' ' + later.app + ' ' + f.app + ' '
            + (f instanceof Promise) + ' ' + v[2].status;
    });
};
>>> b/f.js
module.exports = function () {
    var p = Promise.resolve('b now'), f = fetch('/x');
    return Promise.all([p, new Promise(function (r) { queueMicrotask(function () { r('b job'); }); }), f])
        .then(function (v) {
            return v[0] + ',' + v[1] + ' ' + String(f.app) + ' ' + (f instanceof Promise) + ' '
                + (Object.getPrototypeOf(Promise.all([])) === Promise.prototype);
        });
};
--- request eval
["GET /a", "GET /b", "GET /a", "GET /b"]
--- response_body eval
["a later,a now a a true 200", "b now,b job undefined true true", "a later,a now a a true 200", "b now,b job undefined true true"]
--- no_error_log
[error]
[alert]
