# vi:filetype=perl

# require(): CommonJS modules of the app, cached once per heap
#
# TEST 11 checks a rate (10,000 cached requires in 50 ms, the old lookup
# through stat and realpath made about 1,000): make test-sanitize sets
# TEST_NGINX_SANITIZE, and a sanitizer build on a loaded machine makes
# 5,000-8,000, so it is skipped there

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: relative paths, .js and .json, index.js of a directory
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /r { faas_pass api/r; }
--- user_files
>>> fn/api/r.js
var util = require('../lib/util');
var data = require('../lib/data.json');
var same = require('../lib/util.js');
var helper = require('./helper');
module.exports = function () {
    return [util.twice(data.n), util === same, helper()].join(' ');
};
>>> fn/api/helper/index.js
module.exports = function () { return 'helped'; };
>>> fn/lib/util.js
exports.twice = function (n) { return 2 * n; };
>>> fn/lib/data.json
{ "n": 21 }
--- request
GET /r
--- response_body chomp
42 true helped
--- no_error_log
[error]
[alert]



=== TEST 2: module, exports, __filename and __dirname
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /m { faas_pass m; }
--- user_files
>>> fn/m.js
var fileOk = /\/html\/fn\/m\.js$/.test(__filename);
var dirOk = /\/html\/fn$/.test(__dirname);
var exportsOk = exports === module.exports && this === exports;
module.exports = function () {
    return [fileOk, dirOk, exportsOk, module.id === __filename].join(' ');
};
--- request
GET /m
--- response_body chomp
true true true true
--- no_error_log
[error]
[alert]



=== TEST 3: a cycle sees the exports made so far, as in Node
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass c; }
--- user_files
>>> fn/c.js
var a = require('./lib/a');
module.exports = function () { return a.report(); };
>>> fn/lib/a.js
exports.early = 'a-early';
var b = require('./b');
exports.late = 'a-late';
exports.report = function () { return b.sawEarly + ' ' + b.sawLate + ' ' + b.aNow().late; };
>>> fn/lib/b.js
var a = require('./a');
exports.sawEarly = a.early;
exports.sawLate = String(a.late);
exports.aNow = function () { return a; };
--- request
GET /c
--- response_body chomp
a-early undefined a-late
--- no_error_log
[error]
[alert]



=== TEST 4: a module runs once per heap, however often it is required
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /o { faas_pass o; }
--- user_files
>>> fn/o.js
require('./lib/count');
require('./lib/count');
var count = require('./lib/count.js');
module.exports = function () { return count.loads(); };
>>> fn/lib/count.js
var global = Function('return this')();
global.countLoads = (global.countLoads || 0) + 1;
exports.loads = function () { return global.countLoads; };
--- request
GET /o
--- response_body chomp
1
--- no_error_log
[error]
[alert]



=== TEST 5: a path out of the app directory is an error, not a read
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass x; }
--- user_files
>>> fn/x.js
module.exports = function () { return require('../outside'); };
>>> outside.js
module.exports = 'secret';
--- request
GET /x
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log
cannot find module '../outside'
--- no_error_log
secret
[alert]



=== TEST 6: absolute paths and package names are refused
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/x/(\w+)$ { faas_pass x; }
--- user_files
>>> fn/x.js
var ids = { abs: '/etc/passwd', pkg: 'fs' };
module.exports = function (ctx) {
    try { require(ids[ctx.params[1]]); return 'loaded'; }
    catch (e) { return e.message; }
};
--- request eval
["GET /x/abs", "GET /x/pkg"]
--- response_body eval
[qr/^cannot find module '\/etc\/passwd': only paths relative to the module/,
 qr/^cannot find module 'fs': only paths relative to the module/]
--- no_error_log
[error]
[alert]



=== TEST 7: a missing module names the id and where it was required
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass x; }
--- user_files
>>> fn/x.js
var missing = require('./lib/missing');
module.exports = function () { return 'never'; };
--- request
GET /x
--- error_code: 500
--- error_log eval
qr{\[error\] .*faas: function "x" cannot be loaded: Error: cannot find module '\./lib/missing' from '\S+/html/fn'}
--- no_error_log
[alert]



=== TEST 8: a module that throws while loading is not cached half-done
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass x; }
--- user_files
>>> fn/x.js
module.exports = function () {
    var results = [];
    for (var i = 0; i < 2; i++) {
        try { require('./lib/flaky'); results.push('ok'); }
        catch (e) { results.push(e.message); }
    }
    return results.join(',');
};
>>> fn/lib/flaky.js
throw new Error('broken module');
--- request
GET /x
--- response_body chomp
broken module,broken module
--- no_error_log
[error]
[alert]



=== TEST 9: a syntax error in a lazily loaded function: 500, file and line
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /bad { faas_pass bad; }
--- user_files
>>> fn/bad.js
module.exports = function () {
    return 1 +;
};
--- request
GET /bad
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log eval
qr{faas: function "bad" cannot be loaded: SyntaxError: bad\.js:2: }
--- no_error_log
[alert]



=== TEST 10: a module that exports no function
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /nf { faas_pass nf; }
--- user_files
>>> fn/nf.js
module.exports = { main: 'not a function' };
--- request
GET /nf
--- error_code: 500
--- error_log
nf.js: function "nf" exports no function (module.exports, exports.main or exports.default)
--- no_error_log
[alert]



=== TEST 11: a module required again is found without touching the disk
--- skip_eval: 6: $ENV{TEST_NGINX_SANITIZE}
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass again; }
--- user_files
>>> fn/again.js
module.exports = function () {
    var n = 0, start = Date.now();
    while (Date.now() - start < 50) {
        require('./lib/deep/down/mod');
        n++;
    }
    return n > 10000 ? 'fast' : 'slow ' + n;
};
>>> fn/lib/deep/down/mod.js
module.exports = 1;
--- request
GET /t
--- response_body chomp
fast
--- no_error_log
[error]
