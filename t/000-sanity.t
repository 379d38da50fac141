# vi:filetype=perl

# what a function returns becomes the answer

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: an object is JSON
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /hello { faas_pass hello; }
--- user_files
>>> fn/hello.js
module.exports = function (ctx) {
    return { message: 'hello ' + ctx.query.name };
};
--- request
GET /hello?name=bob
--- response_headers
Content-Type: application/json
Content-Length: 23
--- response_body chomp
{"message":"hello bob"}
--- no_error_log
[error]
[alert]



=== TEST 2: a string is HTML
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /page { faas_pass page; }
--- user_files
>>> fn/page.js
module.exports = function () { return '<h1>hi</h1>'; };
--- request
GET /page
--- response_headers
Content-Type: text/html; charset=utf-8
--- response_body chomp
<h1>hi</h1>
--- no_error_log
[error]
[alert]



=== TEST 3: undefined is 204 with no body
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /none { faas_pass none; }
--- user_files
>>> fn/none.js
module.exports = function () {};
--- request
GET /none
--- error_code: 204
--- response_headers
!Content-Type
!Content-Length
--- response_body
--- no_error_log
[error]
[alert]



=== TEST 4: numbers, booleans, arrays and null are JSON
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/v/(\w+)$ { faas_pass value; }
--- user_files
>>> fn/value.js
var values = { n: 42.5, t: true, a: [1, 'two', { three: 3 }], z: null };
module.exports = function (ctx) { return values[ctx.params[1]]; };
--- request eval
["GET /v/n", "GET /v/t", "GET /v/a", "GET /v/z"]
--- response_headers eval
["Content-Type: application/json", "Content-Type: application/json",
 "Content-Type: application/json", "Content-Type: application/json"]
--- response_body eval
["42.5", "true", '[1,"two",{"three":3}]', "null"]
--- no_error_log
[error]
[alert]



=== TEST 5: exports.main is the handler
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /main { faas_pass main; }
--- user_files
>>> fn/main.js
exports.helper = function () { return 'not me'; };
exports.main = function () { return 'main'; };
--- request
GET /main
--- response_body chomp
main
--- no_error_log
[error]
[alert]



=== TEST 6: exports.default is the handler
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /dflt { faas_pass dflt; }
--- user_files
>>> fn/dflt.js
Object.defineProperty(exports, '__esModule', { value: true });
exports.default = function () { return 'default'; };
--- request
GET /dflt
--- response_body chomp
default
--- no_error_log
[error]
[alert]



=== TEST 7: name/index.js is a function too, nested names work
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /a { faas_pass api/users; }
--- user_files
>>> fn/api/users/index.js
module.exports = function () { return ['ann', 'bob']; };
--- request
GET /a
--- response_body chomp
["ann","bob"]
--- no_error_log
[error]
[alert]



=== TEST 8: Response sets status, headers and several Set-Cookie
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /r { faas_pass r; }
--- user_files
>>> fn/r.js
module.exports = function () {
    return new Response('created', {
        status: 201,
        headers: [['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2'],
                  ['X-Thing', 'yes'], ['Content-Type', 'text/x-custom']]
    });
};
--- request
GET /r
--- error_code: 201
--- response_headers
X-Thing: yes
Content-Type: text/x-custom
--- response_body chomp
created
--- no_error_log
[error]
[alert]



=== TEST 9: Set-Cookie twice, as an array value of a headers object
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /r { faas_pass r; }
    location /check {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/r;
        add_header X-Cookies "$upstream_cookie_a|$upstream_cookie_b";
    }
--- user_files
>>> fn/r.js
module.exports = function () {
    return new Response(null, { headers: { 'Set-Cookie': ['a=1', 'b=2'] } });
};
--- request
GET /check
--- response_headers
X-Cookies: 1|2
--- no_error_log
[error]
[alert]



=== TEST 10: Response with a string body defaults to text/plain
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /r { faas_pass r; }
--- user_files
>>> fn/r.js
module.exports = function () { return new Response('plain'); };
--- request
GET /r
--- response_headers
Content-Type: text/plain; charset=utf-8
--- response_body chomp
plain
--- no_error_log
[error]
[alert]



=== TEST 11: Response.json and Response.redirect
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/r/(\w+)$ { faas_pass r; }
--- user_files
>>> fn/r.js
module.exports = function (ctx) {
    if (ctx.params[1] === 'json') {
        return Response.json({ ok: true }, { status: 202 });
    }
    return Response.redirect('/elsewhere', 307);
};
--- request eval
["GET /r/json", "GET /r/go"]
--- error_code eval
[202, 307]
--- response_headers eval
["Content-Type: application/json", "Location: /elsewhere"]
--- response_body eval
['{"ok":true}', ""]
--- no_error_log
[error]
[alert]



=== TEST 12: HEAD gets the headers only
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /hello { faas_pass hello; }
--- user_files
>>> fn/hello.js
module.exports = function (ctx) { return { method: ctx.method }; };
--- request
HEAD /hello
--- response_headers
Content-Type: application/json
Content-Length: 17
--- response_body
--- no_error_log
[error]
[alert]



=== TEST 13: faas_pass with a variable picks the function per request
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/fn/(?<fn>.+)$ { faas_pass $fn; }
--- user_files
>>> fn/one.js
module.exports = function () { return 'one'; };
>>> fn/two.js
module.exports = function () { return 'two'; };
--- request eval
["GET /fn/one", "GET /fn/two"]
--- response_body eval
["one", "two"]
--- no_error_log
[error]
[alert]



=== TEST 14: a Uint8Array answer is sent as bytes
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /bin { faas_pass bin; }
--- user_files
>>> fn/bin.js
module.exports = function () { return new Uint8Array([104, 105, 0, 33]); };
--- request
GET /bin
--- response_headers
Content-Type: application/octet-stream
Content-Length: 4
--- response_body eval
"hi\0!"
--- no_error_log
[error]
[alert]



=== TEST 15: a Response is an instance of Response
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /inst { faas_pass inst; }
--- user_files
>>> fn/inst.js
module.exports = function () {
    var r = new Response('x'), j = Response.json({});
    return [r instanceof Response, j instanceof Response,
            Object.getPrototypeOf(r) === Response.prototype,
            r.constructor === Response,
            Object.keys(Response.prototype).length].join(' ');
};
--- request
GET /inst
--- response_body chomp
true true true true 0
--- no_error_log
[error]
[alert]



=== TEST 16: functions picked by a variable, more than a heap keeps at hand
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/pick/(?<fn>\w+)$ { faas_pass $fn; }
--- user_files
>>> fn/f0.js
module.exports = function () { return 'f0'; };
>>> fn/f1.js
module.exports = function () { return 'f1'; };
>>> fn/f2.js
module.exports = function () { return 'f2'; };
>>> fn/f3.js
module.exports = function () { return 'f3'; };
>>> fn/f4.js
module.exports = function () { return 'f4'; };
>>> fn/f5.js
module.exports = function () { return 'f5'; };
>>> fn/f6.js
module.exports = function () { return 'f6'; };
>>> fn/f7.js
module.exports = function () { return 'f7'; };
>>> fn/f8.js
module.exports = function () { return 'f8'; };
>>> fn/f9.js
module.exports = function () { return 'f9'; };
>>> fn/long_name_of_a_function_over_forty_eight_bytes_x.js
module.exports = function () { return 'long x'; };
>>> fn/long_name_of_a_function_over_forty_eight_bytes_y.js
module.exports = function () { return 'long y'; };
--- request eval
[map({ "GET /pick/$_" } qw(f0 f8 f1 f9 f0 f8 f9 f1 f5 f6 f7 f2 f3 f4 f5
    long_name_of_a_function_over_forty_eight_bytes_x
    long_name_of_a_function_over_forty_eight_bytes_y
    long_name_of_a_function_over_forty_eight_bytes_x f0 f8))]
--- response_body eval
[qw(f0 f8 f1 f9 f0 f8 f9 f1 f5 f6 f7 f2 f3 f4 f5), 'long x', 'long y',
    'long x', 'f0', 'f8']
--- no_error_log
[error]
[alert]
