# vi:filetype=perl

# failures: a clear status, a short JSON body, one error-log line

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: an exception is 500, its stack goes to the error log
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass thrower; }
--- user_files
>>> fn/thrower.js
function inner() { throw new TypeError('bad thing'); }
module.exports = function () { inner(); };
--- request
GET /t
--- error_code: 500
--- response_headers
Content-Type: application/json
--- response_body chomp
{"error":"function failed"}
--- error_log eval
qr{\[error\] .*faas: function "thrower" failed: TypeError: bad thing \| at inner \(thrower\.js:1\) \| at \[anon\] \(thrower\.js:2\), client}
--- no_error_log
[alert]



=== TEST 2: a rejected promise is 500 too
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass rejects; }
--- user_files
>>> fn/rejects.js
module.exports = function () {
    return Promise.resolve(1).then(function () { throw new RangeError('later'); });
};
--- request
GET /t
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log
faas: function "rejects" failed: RangeError: later
--- no_error_log
[alert]



=== TEST 3: faas_debug puts message and stack in the body
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass thrower; faas_debug on; }
--- user_files
>>> fn/thrower.js
module.exports = function () { throw new Error('shown'); };
--- request
GET /t
--- error_code: 500
--- response_body_like: ^\{"error":"function failed","message":"Error: shown","stack":"Error: shown \| at \[anon\] \(thrower\.js:1\)"
--- error_log
faas: function "thrower" failed: Error: shown



=== TEST 4: an unknown function is 404
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass nobody; }
--- user_files
>>> fn/somebody.js
module.exports = function () { return 'somebody'; };
--- request
GET /t
--- error_code: 404
--- response_body chomp
{"error":"function not found"}
--- error_log eval
qr{faas: function "nobody" not found in "\S+/html/fn"}
--- no_error_log
[alert]



=== TEST 5: names that could leave the app are 404, nothing is read
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass $arg_name; }
--- user_files
>>> fn/ok.js
module.exports = function () { return 'ok'; };
>>> secret.js
module.exports = function () { return 'secret'; };
--- request eval
["GET /t?name=../secret", "GET /t?name=%2e%2e/secret", "GET /t?name=/etc/passwd",
 "GET /t?name=ok%00", "GET /t?name=ok.js", "GET /t?name=a//b", "GET /t?name=",
 "GET /t?name=ok/", "GET /t?name=.hidden"]
--- error_code eval
[(404) x 9]
--- response_body eval
[('{"error":"function not found"}') x 9]
--- error_log eval
qr/\[error\] .*faas: invalid function name "[^"]*"/
--- no_error_log
[alert]



=== TEST 6: the same location runs a valid name
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass $arg_name; }
--- user_files
>>> fn/ok.js
module.exports = function () { return 'ok'; };
--- request
GET /t?name=ok
--- response_body chomp
ok
--- no_error_log
[error]
[alert]



=== TEST 7: an error_page for the status wins over the JSON body
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t {
        faas_pass thrower;
        error_page 500 = @fallback;
    }
    location @fallback { return 200 "client-side render shell"; }
--- user_files
>>> fn/thrower.js
module.exports = function () { throw new Error('render failed'); };
--- request
GET /t
--- response_body chomp
client-side render shell
--- error_log
faas: function "thrower" failed: Error: render failed



=== TEST 8: a header value with CR/LF is refused, not sent
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass split; }
--- user_files
>>> fn/split.js
module.exports = function () {
    return new Response('x', { headers: { 'X-A': 'a\r\nSet-Cookie: evil=1' } });
};
--- request
GET /t
--- error_code: 500
--- response_headers
!Set-Cookie
!X-A
--- error_log
faas: function "split" returned an invalid answer: TypeError: invalid value of header "X-A"
--- no_error_log
[alert]



=== TEST 9: an invalid status is refused
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass st; }
--- user_files
>>> fn/st.js
module.exports = function () { return new Response('x', { status: 99 }); };
--- request
GET /t
--- error_code: 500
--- error_log
faas: function "st" failed: RangeError: invalid Response status 99
--- no_error_log
[alert]



=== TEST 10: a function value cannot be an answer
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass fnret; }
--- user_files
>>> fn/fnret.js
module.exports = function () { return function () {}; };
--- request
GET /t
--- error_code: 500
--- error_log
faas: function "fnret" returned an invalid answer: TypeError: the function returned a function
--- no_error_log
[alert]



=== TEST 11: a cyclic object cannot be JSON
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass cyc; }
--- user_files
>>> fn/cyc.js
module.exports = function () { var o = {}; o.self = o; return o; };
--- request
GET /t
--- error_code: 500
--- error_log
faas: function "cyc" returned an invalid answer
--- no_error_log
[alert]



=== TEST 12: after an error the next request is served normally
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/t/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/boom.js
module.exports = function () { throw new Error('boom'); };
>>> fn/fine.js
module.exports = function () { return 'fine'; };
--- request eval
["GET /t/boom", "GET /t/fine"]
--- error_code eval
[500, 200]
--- response_body eval
['{"error":"function failed"}', "fine"]
--- no_error_log
[alert]



=== TEST 13: a stack keeps the JavaScript frames, named relative to the app
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass deep; }
--- user_files
>>> fn/deep.js
function cb(x) { return x.no.such; }
module.exports = function () {
    return [1].map(cb);
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{faas: function \"deep\" failed: TypeError: [^|]+ \| at cb \(deep\.js:1\) \| at \[anon\] \(deep\.js:3\), client}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 14: a stack has no frame of the module's C built-ins
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass ours; }
--- user_files
>>> fn/ours.js
module.exports = function () {
    new Map().forEach(5);
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{faas: function \"ours\" failed: TypeError: [^|]+ \| at \[anon\] \(ours\.js:2\), client}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 15: faas_debug and console show the same clean stack
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass deep; faas_debug on; }
--- user_files
>>> fn/deep.js
function cb(x) { return x.no.such; }
module.exports = function () {
    try {
        [1].forEach(cb);
    } catch (e) {
        console.warn(e);
    }
    [1].forEach(cb);
};
--- request
GET /t
--- error_code: 500
--- response_body_like: ^\{"error":"function failed","message":"TypeError: [^"|]+","stack":"TypeError: [^"|]+ \| at cb \(deep\.js:1\) \| at \[anon\] \(deep\.js:8\)"
--- error_log eval
qr{\[warn\] .*faas deep \[\w+\]: TypeError: cannot read property [^|]+ \| at cb \(deep\.js:1\) \| at \[anon\] \(deep\.js:4\), client}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 16: a parse error of ES2015+ syntax (async function) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass async; }
--- user_files
>>> fn/async.js
module.exports = async function (ctx) {
    return 1;
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"async" cannot be loaded: SyntaxError: async\.js:1: parse error: ES2015\+ syntax \(async function\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 17: a parse error of ES2015+ syntax (let) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass let; }
--- user_files
>>> fn/let.js
var a = 1;
let b = 2;
module.exports = function () { return b; };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"let" cannot be loaded: SyntaxError: let\.js:2: parse error: ES2015\+ syntax \(let\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 18: a parse error of ES2015+ syntax (arrow function) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass arrow; }
--- user_files
>>> fn/arrow.js
// a comment
module.exports = (ctx) => 'x';
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"arrow" cannot be loaded: SyntaxError: arrow\.js:2: parse error: ES2015\+ syntax \(arrow function\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 19: a parse error of ES2015+ syntax (export) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass exp; }
--- user_files
>>> fn/exp.js
export default function (ctx) {
    return 1;
}
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"exp" cannot be loaded: SyntaxError: exp\.js:1: parse error: ES2015\+ syntax \(export\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 20: a parse error of ES2015+ syntax (template literal) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass tpl; }
--- user_files
>>> fn/tpl.js
var n = 1;
module.exports = function () {
    return `n=${n}`;
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"tpl" cannot be loaded: SyntaxError: tpl\.js:3: parse error: ES2015\+ syntax \(template literal\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 21: a parse error of ES2015+ syntax (class) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass cls; }
--- user_files
>>> fn/cls.js
class Page {
    render() { return 1; }
}
module.exports = function () { return new Page().render(); };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"cls" cannot be loaded: SyntaxError: cls\.js:1: parse error: ES2015\+ syntax \(class\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 22: a parse error of ES2015+ syntax (import) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass imp; }
--- user_files
>>> fn/imp.js
import { x } from './lib';
module.exports = function () { return x; };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"imp" cannot be loaded: SyntaxError: imp\.js:1: parse error: ES2015\+ syntax \(import\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 23: a parse error of ES2015+ syntax (for-of) says so and names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass forof; }
--- user_files
>>> fn/forof.js
module.exports = function (ctx) {
    var n = 0;
    for (var k of [1, 2]) { n += k; }
    return n;
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"forof" cannot be loaded: SyntaxError: forof\.js:3: parse error: ES2015\+ syntax \(for-of\), build with tools/faas-build, client}
--- no_error_log
[alert]



=== TEST 24: an ES5 syntax error keeps its message, even beside ES2015+ text
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass es5; }
--- user_files
>>> fn/es5.js
module.exports = function () {
    var s = 'a => b, `x`, let y, class Z'; // async f, ...rest
    return 1 +;
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"es5" cannot be loaded: SyntaxError: es5\.js:3: [^,]*, client}
--- no_error_log eval
["ES2015", "[alert]"]



=== TEST 25: an ES5 syntax error beside properties named as keywords keeps its message
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass prop; }
--- user_files
>>> fn/prop.js
var o = { let: 1 };
module.exports = function () { return o.let + o.class ) ; };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"prop" cannot be loaded: SyntaxError: prop\.js:2: [^,]*, client}
--- no_error_log eval
["ES2015", "[alert]"]



=== TEST 26: at nginx -t, a preloaded function of ES2015+ syntax names the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload page;
--- config
--- user_files
>>> fn/page.js
var x = 1;
module.exports = (ctx) => x;
--- must_die
--- error_log eval
qr{faas_preload "page": SyntaxError: page\.js:2: parse error: ES2015\+ syntax \(arrow function\), build with tools/faas-build$}



=== TEST 27: a required module of ES2015+ syntax names its file and the build
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass page; }
--- user_files
>>> fn/page.js
var lib = require('./lib/util');
module.exports = function () { return lib.x; };
>>> fn/lib/util.js
exports.x = 1;
let y = 2;
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"page" cannot be loaded: SyntaxError: lib/util\.js:2: parse error: ES2015\+ syntax \(let\), build with tools/faas-build \| at \[anon\] \(page\.js:1\), client}
--- no_error_log
[alert]



=== TEST 28: an exception while a module loads names file and line
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass throws; }
--- user_files
>>> fn/throws.js
var config = {};

var port = config.server.port;
module.exports = function () { return port; };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"throws" cannot be loaded: TypeError: [^|]+ \| at \[anon\] \(throws\.js:3\), client}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 29: an exception while a required module loads names both files and lines
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass nested; }
--- user_files
>>> fn/nested.js
var lib = require('./lib/bad');
module.exports = function () { return lib; };
>>> fn/lib/bad.js
exports.a = 1;
throw new Error('not configured');
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"nested" cannot be loaded: Error: not configured \| at \[anon\] \(lib/bad\.js:2\) \| at \[anon\] \(nested\.js:1\), client}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 30: a module that exports no function names its file
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass nofn; }
--- user_files
>>> fn/nofn.js
module.exports = { main: 'not a function' };
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{"nofn" cannot be loaded: TypeError: nofn\.js: function "nofn" exports no function}
--- no_error_log eval
[qr/\.c:\d/, "preventsyield", "internal", "native", qr{\(\S*/html/fn/}, "[alert]"]



=== TEST 31: a bundle's frames name the source lines of its source map
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass mapped; faas_debug on; }
--- user_files
>>> fn/mapped.js
// bundle
function a() {
    throw new Error('mapped');
}
module.exports = function () { a(); };
>>> fn/mapped.js.map
{"version":3,"file":"mapped.js","sources":["../src/mapped.ts"],"names":[],"mappings":";;AASA;;AAUA"}
--- request
GET /t
--- error_code: 500
--- response_body_like: "stack":"Error: mapped \| at a \(src/mapped\.ts:10\) \| at \[anon\] \(src/mapped\.ts:20\)"
--- error_log eval
qr{failed: Error: mapped \| at a \(src/mapped\.ts:10\) \| at \[anon\] \(src/mapped\.ts:20\), client}
--- no_error_log
[alert]



=== TEST 32: a source map with not JSON: the bundle lines, never an error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass json; }
--- user_files
>>> fn/json.js
function a() {
    throw new Error('json');
}
module.exports = function () { a(); };
>>> fn/json.js.map
{"version":3,"sources":["src/json.ts"],"mappings":";AACA
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: json \| at a \(json\.js:2\) \| at \[anon\] \(json\.js:4\), client}
--- no_error_log eval
["src/", "[alert]"]



=== TEST 33: a source map with a bad VLQ digit: the bundle lines, never an error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass vlq; }
--- user_files
>>> fn/vlq.js
function a() {
    throw new Error('vlq');
}
module.exports = function () { a(); };
>>> fn/vlq.js.map
{"version":3,"sources":["src/vlq.ts"],"mappings":";AA!A;AAEA"}
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: vlq \| at a \(vlq\.js:2\) \| at \[anon\] \(vlq\.js:4\), client}
--- no_error_log eval
["src/", "[alert]"]



=== TEST 34: a source map with a source out of range: the bundle lines, never an error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass range; }
--- user_files
>>> fn/range.js
function a() {
    throw new Error('range');
}
module.exports = function () { a(); };
>>> fn/range.js.map
{"version":3,"sources":["src/range.ts"],"mappings":";ACAA;AAEA"}
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: range \| at a \(range\.js:2\) \| at \[anon\] \(range\.js:4\), client}
--- no_error_log eval
["src/", "[alert]"]



=== TEST 35: a source map with lines it does not map: the bundle lines, never an error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass unmapped; }
--- user_files
>>> fn/unmapped.js
function a() {
    throw new Error('unmapped');
}
module.exports = function () { a(); };
>>> fn/unmapped.js.map
{"version":3,"sources":["src/unmapped.ts"],"mappings":"AAAA"}
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: unmapped \| at a \(unmapped\.js:2\) \| at \[anon\] \(unmapped\.js:4\), client}
--- no_error_log eval
["src/", "[alert]"]



=== TEST 36: a source map with version 2: the bundle lines, never an error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass version; }
--- user_files
>>> fn/version.js
function a() {
    throw new Error('version');
}
module.exports = function () { a(); };
>>> fn/version.js.map
{"version":2,"sources":["src/version.ts"],"mappings":";AACA;AAEA"}
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: version \| at a \(version\.js:2\) \| at \[anon\] \(version\.js:4\), client}
--- no_error_log eval
["src/", "[alert]"]



=== TEST 37: a message of non-ASCII text keeps all its frames
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass utf8; }
--- user_files
>>> fn/utf8.js
function f() { throw new Error('caf\u00e9 \u2615 \u00fcber'); }
module.exports = function () {
    f();
};
--- request
GET /t
--- error_code: 500
--- error_log eval
qr{failed: Error: caf\x{c3}\x{a9} \x{e2}\x{98}\x{95} \x{c3}\x{bc}ber \| at f \(utf8\.js:1\) \| at \[anon\] \(utf8\.js:3\), client}
--- no_error_log
[alert]



=== TEST 38: a failure names the request id: the client's X-Request-ID
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass thrower; }
--- user_files
>>> fn/thrower.js
module.exports = function () { throw new Error('boom'); };
--- request
GET /c
--- more_headers
X-Request-ID: trace-42
--- error_code: 500
--- error_log eval
qr/\[error\] .*function "thrower" failed: Error: boom.*, request_id: "trace-42"/
--- no_error_log
[alert]



=== TEST 39: or $request_id, when the client's is not a plain token
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_timeout 50ms; faas_pass spin; }
--- user_files
>>> fn/spin.js
module.exports = function () { for (;;) {} };
--- request
GET /c
--- more_headers
X-Request-ID: a b
--- error_code: 504
--- error_log eval
qr/\[error\] .*function "spin" timed out after .*, request_id: "[0-9a-f]{32}"/
--- no_error_log
[alert]



=== TEST 40: log_not_found off: a missing function is not logged
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { log_not_found off; faas_pass nobody; }
--- user_files
>>> fn/somebody.js
module.exports = function () { return 'x'; };
--- request
GET /t
--- error_code: 404
--- response_body chomp
{"error":"function not found"}
--- no_error_log
not found
[error]



=== TEST 41: an error_page that fails too answers with its JSON, not HTML
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    error_page 500 /fallback;
    location /t { faas_pass thrower; }
    location /fallback { faas_pass thrower; }
--- user_files
>>> fn/thrower.js
module.exports = function () { throw new Error('boom'); };
--- request
GET /t
--- error_code: 500
--- response_headers
Content-Type: application/json
--- response_body chomp
{"error":"function failed"}
--- error_log
function "thrower" failed
--- no_error_log
[alert]



=== TEST 42: an invalid name is logged with its bytes escaped, never a forged line
the name is the client's (a capture of the decoded path here): a raw
newline in the log would start a line of the client's making (nginx's
own debug lines show the decoded path as it is, hence level info)
--- log_level: info
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ "^/fn/(?<fn>(?s).*)$" { faas_pass $fn; }
--- user_files
>>> fn/ok.js
module.exports = function () { return 'ok'; };
--- request
GET /fn/x%0A2026/12/02%2000:00:00%20[emerg]%201%231:%20forged%22%5C%1b
--- error_code: 404
--- response_body chomp
{"error":"function not found"}
--- error_log
faas: invalid function name "x\x0A2026/12/02 00:00:00 [emerg] 1#1: forged"\x5C\x1B"
--- no_error_log eval
[qr/^2026\/12\/02 00:00:00 \[emerg\]/, "[alert]"]



=== TEST 43: faas_debug and an unknown function: the 404 JSON, not nginx's 500 page
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass nobody; faas_debug on; }
--- user_files
>>> fn/other.js
module.exports = function () { return 'x'; };
--- request
GET /t
--- error_code: 404
--- response_headers
Content-Type: application/json
--- response_body chomp
{"error":"function not found","message":"","stack":""}
--- error_log
faas: function "nobody" not found
