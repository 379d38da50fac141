# vi:filetype=perl

# ctx: the request as a function sees it

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: method, url, path
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /ctx { faas_pass ctx; }
--- user_files
>>> fn/ctx.js
module.exports = function (ctx) {
    return [ctx.method, ctx.url, ctx.path].join(' ');
};
--- request
DELETE /ctx/a%20b/../c?x=1
--- response_body chomp
DELETE /ctx/a%20b/../c?x=1 /ctx/c
--- no_error_log
[error]
[alert]



=== TEST 2: query: decoded, repeated names become arrays
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /q { faas_pass q; }
--- user_files
>>> fn/q.js
module.exports = function (ctx) { return ctx.query; };
--- request
GET /q?a=1&b=x+y%21&a=2&empty=&flag&a=3&bad=%zz&__proto__=p
--- response_body chomp
{"a":["1","2","3"],"b":"x y!","empty":"","flag":"","bad":"%zz","__proto__":"p"}
--- no_error_log
[error]
[alert]



=== TEST 3: headers: lower-case names, repeated ones joined
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /h { faas_pass h; }
--- user_files
>>> fn/h.js
module.exports = function (ctx) {
    var h = ctx.headers;
    return [h['x-custom'], h['x-list'], h.cookie, h.host, h['X-Custom']].join('|');
};
--- request
GET /h
--- more_headers
X-Custom: Value
X-List: a
X-List: b
Cookie: c=1
Cookie: d=2
--- response_body chomp
Value|a, b|c=1; d=2|localhost|
--- no_error_log
[error]
[alert]



=== TEST 4: a JSON body is an object, rawBody the text
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) {
    return { sum: ctx.body.a + ctx.body.b, raw: ctx.rawBody };
};
--- request
POST /b
{"a": 1, "b": 2}
--- more_headers
Content-Type: application/json; charset=utf-8
--- response_body chomp
{"sum":3,"raw":"{\"a\": 1, \"b\": 2}"}
--- no_error_log
[error]
[alert]



=== TEST 5: a +json media type is JSON too
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { return typeof ctx.body + ' ' + ctx.body.t; };
--- request
POST /b
{"t": "problem"}
--- more_headers
Content-Type: application/problem+json
--- response_body chomp
object problem
--- no_error_log
[error]
[alert]



=== TEST 6: a form body is an object
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /f { faas_pass f; }
--- user_files
>>> fn/f.js
module.exports = function (ctx) { return ctx.body; };
--- request
POST /f
name=J%C3%BCrgen+X&tag=a&tag=b
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- response_body chomp
{"name":"Jürgen X","tag":["a","b"]}
--- no_error_log
[error]
[alert]



=== TEST 7: any other body is a string; no body is undefined
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function (ctx) { return typeof ctx.body + ':' + ctx.body + ':' + ctx.rawBody.length; };
--- request eval
["POST /t\nsome text", "GET /t"]
--- response_body eval
["string:some text:9", "undefined:undefined:0"]
--- no_error_log
[error]
[alert]



=== TEST 8: remoteAddr and requestId (the $request_id of nginx)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /id {
        faas_env rid $request_id;
        faas_pass id;
    }
--- user_files
>>> fn/id.js
module.exports = function (ctx) {
    return [ctx.remoteAddr, /^[0-9a-f]{32}$/.test(ctx.requestId),
            ctx.requestId === ctx.env.rid].join(' ');
};
--- request
GET /id
--- response_body chomp
127.0.0.1 true true
--- no_error_log
[error]
[alert]



=== TEST 9: params: captures of the location, by number and by name
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/users/(?<id>\d+)/(\w+)(/x)?$ { faas_pass p; }
--- user_files
>>> fn/p.js
module.exports = function (ctx) { return ctx.params; };
--- request
GET /users/42/posts
--- response_body chomp
{"0":"/users/42/posts","1":"42","2":"posts","id":"42"}
--- no_error_log
[error]
[alert]



=== TEST 10: params is empty in a prefix location
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /p { faas_pass p; }
--- user_files
>>> fn/p.js
module.exports = function (ctx) { return ctx.params; };
--- request
GET /p
--- response_body chomp
{}
--- no_error_log
[error]
[alert]



=== TEST 11: env: static values and variables, inner level replaces outer
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_env region eu-west;
    faas_env mode prod;
--- config
    location /outer { faas_pass e; }
    location /inner {
        faas_env mode "test-$arg_n";
        faas_pass e;
    }
--- user_files
>>> fn/e.js
module.exports = function (ctx) { return ctx.env; };
--- request eval
["GET /outer", "GET /inner?n=7"]
--- response_body eval
['{"region":"eu-west","mode":"prod"}', '{"mode":"test-7"}']
--- no_error_log
[error]
[alert]



=== TEST 12: the body is read whole, also from a temporary file
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    client_body_buffer_size 1k;
    location /big { faas_pass big; }
--- user_files
>>> fn/big.js
module.exports = function (ctx) {
    var b = ctx.body;
    return b.items.length + ' ' + b.items[0] + ' ' + b.items[b.items.length - 1] + ' ' + ctx.rawBody.length;
};
--- request eval
my @items = map { "\"item-$_\"" } 1 .. 5000;
"POST /big\n{\"items\": [" . join(",", @items) . "]}"
--- more_headers
Content-Type: application/json
--- response_body eval
my @items = map { "\"item-$_\"" } 1 .. 5000;
"5000 item-1 item-5000 " . length("{\"items\": [" . join(",", @items) . "]}")
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
[error]
[alert]



=== TEST 13: lazy fields: assignable, and a kept ctx keeps what was read
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /k { faas_pass k; }
--- user_files
>>> fn/k.js
var kept = null;
module.exports = function (ctx) {
    var before = kept ? [kept.query.n, typeof kept.headers].join(' ') : 'none';
    var q = ctx.query;
    ctx.params = 'replaced';
    kept = ctx;
    return [before, q.n, ctx.params, 'query' in ctx].join(' ');
};
--- request eval
["GET /k?n=1", "GET /k?n=2"]
--- response_body eval
[qr/^(none|\d+ undefined) 1 replaced true$/, "1 undefined 2 replaced true"]
--- no_error_log
[error]
[alert]



=== TEST 14: a new ctx owns only body; method and path are read on demand
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /o { faas_pass o; }
--- user_files
>>> fn/o.js
var kept = null;
module.exports = function (ctx) {
    var old = kept ? typeof kept.method + ' ' + kept.path : 'none';
    var before = Object.keys(ctx).join(',');
    var p = ctx.path;
    var after = Object.keys(ctx).join(',');
    kept = ctx;
    return [old, '[' + before + ']', p, '[' + after + ']'].join(' ');
};
--- request eval
["POST /o\nx", "GET /o"]
--- more_headers
Content-Type: text/plain
--- response_body eval
[qr{^(none|undefined /o) \[body\] /o \[body,path\]$},
 "undefined /o [] /o [path]"]
--- no_error_log
[error]
[alert]



=== TEST 15: bytes from the client that are not UTF-8 become U+FFFD, never a symbol
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/u/(?<rest>.*)$ { faas_pass u; }
--- user_files
>>> fn/u.js
function show(v) {
    if (typeof v !== 'string') {
        return typeof v;
    }
    return v.replace(/[\s\S]/g, function (c) {
        var n = c.charCodeAt(0);
        return n < 0x80 ? c : '<' + n.toString(16) + '>';
    });
}
module.exports = function (ctx) {
    var keys = Object.keys(ctx.query).sort();
    return [show(ctx.path), show(ctx.params.rest), keys.map(show).join(','),
            show(ctx.query[keys[0]]), show(ctx.headers['x-raw']),
            show(ctx.rawBody), show(ctx.body)].join(' | ');
};
--- raw_request eval
"POST /u/%FF%C3%A9%ED%A0%80? HTTP/1.1\r
Host: localhost\r
X-Raw: \xFFab\xC3\r
Content-Type: text/plain\r
Content-Length: 6\r
Connection: close\r
\r
\x80\xF0\x9F\x98ok"
--- response_body chomp
/u/<fffd><e9><fffd><fffd><fffd> | <fffd><e9><fffd><fffd><fffd> |  | undefined | <fffd>ab<fffd> | <fffd><fffd>ok | <fffd><fffd>ok
--- no_error_log
[error]
[alert]



=== TEST 16: a JSON body and a query with bytes that are not UTF-8
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /j { faas_pass j; }
--- user_files
>>> fn/j.js
module.exports = function (ctx) {
    var k = Object.keys(ctx.query)[0];
    return [typeof k, k.length, k.charCodeAt(0).toString(16), ctx.query[k],
            typeof ctx.body.s, ctx.body.s.charCodeAt(0).toString(16), ctx.body.s.length,
            (ctx.body.s + '!').length].join(' ');
};
--- raw_request eval
"POST /j?%FF=%82v HTTP/1.1\r
Host: localhost\r
Content-Type: application/json\r
Content-Length: 11\r
Connection: close\r
\r
{\"s\":\"\xFF\x81z\"}"
--- response_body eval
"string 1 fffd \xEF\xBF\xBDv string fffd 3 4"
--- no_error_log
[error]
[alert]
