# vi:filetype=perl

# app hooks: __init__ runs once per heap before the first call, and
# __interceptor__(ctx, next) wraps every call of the app (onion model);
# neither can be called by URL

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: __init__ runs once per heap, before the first call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/__init__.js
var state = require('./lib/state');
module.exports = function () {
    state.inits++;
    state.config = { greeting: 'hello' };
    console.info('init ran');
};
>>> fn/lib/state.js
module.exports = { inits: 0, config: null };
>>> fn/a.js
var state = require('./lib/state');
module.exports = function () { return state.config.greeting + ' ' + state.inits; };
>>> fn/b.js
var state = require('./lib/state');
module.exports = function () { return 'b ' + state.inits; };
--- request eval
["GET /a", "GET /b", "GET /a"]
--- response_body eval
["hello 1", "b 1", "hello 1"]
--- no_error_log
[error]
[alert]



=== TEST 2: an async __init__ is settled before the first call; counted in a shared zone
--- http_config
    faas_shared hooks 64k;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /reset { faas_pass reset; }
    location /a { faas_functions $TEST_NGINX_SERVER_ROOT/html/app; faas_pass a; }
--- user_files
>>> fn/reset.js
module.exports = function () { shared.hooks.delete('inits'); return 'ok'; };
>>> app/__init__.js
exports.main = function () {
    return Promise.resolve().then(function () {
        shared.hooks.incr('inits');
        require('./lib/state').ready = true;
    });
};
>>> app/lib/state.js
exports.ready = false;
>>> app/a.js
var state = require('./lib/state');
module.exports = function () { return state.ready + ' ' + shared.hooks.get('inits'); };
--- request eval
["GET /a", "GET /a", "GET /a"]
--- response_body eval
["true 1", "true 1", "true 1"]
--- no_error_log
[error]
[alert]



=== TEST 3a: __init__ is not a function to call by URL
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(.+)$ { faas_pass $1; }
--- user_files
>>> fn/__init__.js
module.exports = function () {};
>>> fn/__interceptor__/index.js
module.exports = function (ctx, next) { return next(); };
--- request
GET /__init__
--- error_code: 404
--- error_log
faas: invalid function name "__init__"



=== TEST 3b: __interceptor__ is not a function to call by URL
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(.+)$ { faas_pass $1; }
--- user_files
>>> fn/__init__.js
module.exports = function () {};
>>> fn/__interceptor__/index.js
module.exports = function (ctx, next) { return next(); };
--- request
GET /__interceptor__
--- error_code: 404
--- error_log
faas: invalid function name "__interceptor__"



=== TEST 3c: __interceptor__/index is not a function to call by URL
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(.+)$ { faas_pass $1; }
--- user_files
>>> fn/__init__.js
module.exports = function () {};
>>> fn/__interceptor__/index.js
module.exports = function (ctx, next) { return next(); };
--- request
GET /__interceptor__/index
--- error_code: 404
--- error_log
faas: invalid function name "__interceptor__/index"



=== TEST 4: faas_pass __init__ is refused
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /i { faas_pass __init__; }
--- user_files
>>> fn/__init__.js
module.exports = function () {};
--- must_die
--- error_log
invalid function name "__init__" in "faas_pass" directive



=== TEST 5: a failing __init__: the call is a 500 naming it, and the next call tries again
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /a { faas_pass a; }
--- user_files
>>> fn/__init__.js
module.exports = function () { throw new Error('no config'); };
>>> fn/a.js
module.exports = function () { return 'never'; };
--- request eval
["GET /a", "GET /a"]
--- error_code eval
[500, 500]
--- response_body_like eval
["function failed", "function failed"]
--- grep_error_log eval: qr/faas: function "a" cannot be loaded: the app's __init__ failed: Error: no config/
--- grep_error_log_out eval
["faas: function \"a\" cannot be loaded: the app's __init__ failed: Error: no config\n",
 "faas: function \"a\" cannot be loaded: the app's __init__ failed: Error: no config\n"]



=== TEST 6: an __init__ that never ends is stopped by faas_timeout
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    faas_timeout 100ms;
    location /a { faas_pass a; }
--- user_files
>>> fn/__init__.js
module.exports = function () { for (;;) {} };
>>> fn/a.js
module.exports = function () { return 'never'; };
--- request
GET /a
--- error_code: 500
--- error_log
faas: function "a" cannot be loaded: the app's __init__ failed: __init__ timed out



=== TEST 7: the interceptor answers by itself, or passes the call on
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/__interceptor__.js
module.exports = function (ctx, next) {
    if (ctx.headers['x-token'] !== 'secret') {
        return new Response('denied', { status: 403 });
    }
    return next();
};
>>> fn/hello.js
module.exports = function (ctx) { return { hello: ctx.query.name }; };
--- request eval
["GET /hello?name=x", "GET /hello?name=y"]
--- more_headers eval
["", "X-Token: secret"]
--- error_code eval
[403, 200]
--- response_body eval
["denied", '{"hello":"y"}']
--- no_error_log
[error]
[alert]



=== TEST 8: the interceptor changes ctx and post-processes the result, sync and async
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/__interceptor__.js
module.exports = function (ctx, next) {
    ctx.user = { name: 'ann' };
    var r = next();
    if (r && typeof r.then === 'function') {
        return r.then(function (v) { v.wrapped = 'async'; return v; });
    }
    r.wrapped = 'sync';
    return r;
};
>>> fn/sync.js
module.exports = function (ctx) { return { user: ctx.user.name }; };
>>> fn/async.js
module.exports = function (ctx) {
    return Promise.resolve().then(function () { return { user: ctx.user.name }; });
};
>>> fn/other.js
module.exports = function (ctx) { return { same: ctx.user.name }; };
--- request eval
["GET /sync", "GET /async"]
--- response_body eval
['{"user":"ann","wrapped":"sync"}', '{"user":"ann","wrapped":"async"}']
--- no_error_log
[error]
[alert]



=== TEST 9: next(ctx) passes another ctx; errors of the function reach the interceptor
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/__interceptor__.js
module.exports = function (ctx, next) {
    try {
        return next({ query: { v: 'replaced' } });
    } catch (e) {
        return { caught: e.message, fn: ctx.path };
    }
};
>>> fn/echo.js
module.exports = function (ctx) { return ctx.query.v; };
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
--- request eval
["GET /echo?v=orig", "GET /boom"]
--- response_body eval
["replaced", '{"caught":"boom","fn":"/boom"}']
--- no_error_log
[error]
[alert]



=== TEST 10: an interceptor that throws fails the call, naming the function and the file
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/__interceptor__.js
module.exports = function (ctx, next) { throw new TypeError('bad ctx'); };
>>> fn/a.js
module.exports = function () { return 'never'; };
--- request
GET /a
--- error_code: 500
--- error_log eval
qr/faas: function "a" failed: TypeError: bad ctx \| at .*__interceptor__\.js:1/



=== TEST 11: __init__ runs before faas_preload compiles, once
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload a;
--- config
    location /a { faas_pass a; }
--- user_files
>>> fn/__init__.js
var order = require('./lib/order');
order.push('init');
module.exports = function () { order.push('init()'); };
>>> fn/lib/order.js
module.exports = [];
>>> fn/a.js
var order = require('./lib/order');
order.push('a loaded');
module.exports = function () { return order.join(','); };
--- request
GET /a
--- response_body: init,init(),a loaded
--- no_error_log
[error]
[alert]



=== TEST 12: an __interceptor__ that exports no function fails every call, naming the file
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /a { faas_pass a; }
--- user_files
>>> fn/__interceptor__.js
module.exports = { not: 'a function' };
>>> fn/a.js
module.exports = function () { return 'never'; };
--- request
GET /a
--- error_code: 500
--- error_log eval
qr/faas: function "a" cannot be loaded: the app's __init__ failed: TypeError: .*__interceptor__\.js: function "__interceptor__" exports no function/



=== TEST 13: with faas_debug every call has a fresh heap, so __init__ runs for each
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /a { faas_debug on; faas_pass a; }
--- user_files
>>> fn/__init__.js
module.exports = function () { require('./lib/st').inits++; };
>>> fn/lib/st.js
module.exports = { inits: 0, calls: 0 };
>>> fn/a.js
var st = require('./lib/st');
module.exports = function () { return st.inits + ' ' + (++st.calls); };
--- request eval
["GET /a", "GET /a"]
--- response_body eval
["1 1", "1 1"]
--- no_error_log
[error]
[alert]
