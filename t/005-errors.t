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
qr{\[error\] .*faas: function "thrower" failed: TypeError: bad thing \| at inner \(\S+/fn/thrower\.js:1\)}
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
--- response_body_like: ^\{"error":"function failed","message":"Error: shown","stack":"Error: shown \| at \S+ \(\S+/fn/thrower\.js:1\)
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
