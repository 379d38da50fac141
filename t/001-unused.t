# vi:filetype=perl

# loading the module without using its directives changes nothing

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: static files are served as before
--- config
    location /static { root $TEST_NGINX_SERVER_ROOT/html; }
--- user_files
>>> static/a.txt
plain text
--- request
GET /static/a.txt
--- response_headers
Content-Type: text/plain
--- response_body
plain text
--- no_error_log
[error]
[alert]
faas



=== TEST 2: return is answered by nginx alone
--- config
    location /ping { return 200 "pong"; }
--- request
GET /ping
--- response_body chomp
pong
--- no_error_log
[error]
[alert]
faas



=== TEST 3: faas_functions alone does not take over any location
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /fn { root $TEST_NGINX_SERVER_ROOT/html; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'ran'; };
--- request
GET /fn/hello.js
--- response_body
module.exports = function () { return 'ran'; };
--- no_error_log
[error]
[alert]



=== TEST 4: a location without faas_pass next to one with it
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /run { faas_pass hello; }
    location /other { return 200 "other"; }
--- user_files
>>> fn/hello.js
module.exports = function () { return 'ran'; };
--- request eval
["GET /other", "GET /run"]
--- response_body eval
["other", "ran"]
--- no_error_log
[error]
[alert]



=== TEST 5: a missing page is still nginx's own 404
--- config
    location /static { root $TEST_NGINX_SERVER_ROOT/html; }
--- request
GET /static/none.txt
--- error_code: 404
--- response_body_like: <center>nginx
--- error_log
No such file or directory
