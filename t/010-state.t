# vi:filetype=perl

# a module is compiled once per worker and reused: its state persists

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: a module-level counter persists across requests
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass counter; }
--- user_files
>>> fn/counter.js
var n = 0;
module.exports = function (ctx) {
    if (ctx.query.reset) { n = 0; return 'reset'; }
    return ++n;
};
--- request eval
["GET /c?reset=1", "GET /c", "GET /c", "GET /c"]
--- response_body eval
["reset", "1", "2", "3"]
--- no_error_log
[error]
[alert]



=== TEST 2: functions of one app share modules, and a heap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/put.js
var store = require('./lib/store');
module.exports = function (ctx) { store.value = ctx.query.v; return 'stored'; };
>>> fn/get.js
var store = require('./lib/store');
module.exports = function () { return store.value; };
>>> fn/lib/store.js
exports.value = null;
--- request eval
["GET /put?v=shared", "GET /get"]
--- response_body eval
["stored", "shared"]
--- no_error_log
[error]
[alert]



=== TEST 3: two apps are isolated from each other
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/a;
--- config
    location /a { faas_pass f; }
    location /b { faas_functions $TEST_NGINX_SERVER_ROOT/html/b; faas_pass f; }
--- user_files
>>> a/f.js
var g = Function('return this')();
module.exports = function () { g.mark = g.mark || 'set by a'; return 'a:' + g.mark; };
>>> b/f.js
var g = Function('return this')();
module.exports = function () { return 'b:' + String(g.mark); };
--- request eval
["GET /a", "GET /b"]
--- response_body eval
["a:set by a", "b:undefined"]
--- no_error_log
[error]
[alert]
