# vi:filetype=perl

# bad directive values stop nginx with an [emerg] naming directive and value

use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
run_tests();

__DATA__

=== TEST 1: faas_timeout that is not a time
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout soon;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "soon" in "faas_timeout" directive



=== TEST 2: faas_timeout of zero
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass x; faas_timeout 0; }
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "0" in "faas_timeout" directive, it must be a time greater than zero



=== TEST 3: faas_memory that is not a size
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory lots;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "lots" in "faas_memory" directive



=== TEST 4: faas_memory too small for a heap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 100k;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "100k" in "faas_memory" directive, it must be a size of at least 256k



=== TEST 5: faas_debug neither on nor off
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_debug maybe;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid value "maybe" in "faas_debug" directive



=== TEST 6: faas_functions that does not exist
--- http_config
    faas_functions /nonexistent/faas/functions;
--- config
--- must_die
--- error_log
faas_functions "/nonexistent/faas/functions" cannot be opened



=== TEST 7: faas_functions that is a file
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn/x.js;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
is not a directory



=== TEST 8: faas_functions twice in one block
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
"faas_functions" directive is duplicate



=== TEST 9: faas_pass with a name that leaves the app
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass ../x; }
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid function name "../x" in "faas_pass" directive



=== TEST 10: faas_pass with a file name
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /x { faas_pass x.js; }
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
invalid function name "x.js" in "faas_pass" directive



=== TEST 11: faas_pass without faas_functions
--- config
    location /x { faas_pass x; }
--- must_die
--- error_log
"faas_pass" needs "faas_functions"



=== TEST 12: faas_preload of a function that does not exist
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload x nope;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
faas_preload "nope": no such function in



=== TEST 13: faas_preload names the file and line of a syntax error
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload bad;
--- config
--- user_files
>>> fn/bad.js
module.exports = function () {
    var x = ;
};
--- must_die
--- error_log eval
qr{faas_preload "bad": SyntaxError: bad\.js:2: (?!.*ES2015)}



=== TEST 14: faas_preload without faas_functions
--- http_config
    faas_preload x;
--- config
--- must_die
--- error_log
"faas_preload" needs "faas_functions"



=== TEST 15: faas_env with one name twice
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_env a 1;
    faas_env a 2;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
duplicate name "a" in "faas_env" directive



=== TEST 16: faas_pass outside a location
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_pass x;
--- config
--- user_files
>>> fn/x.js
module.exports = function () {};
--- must_die
--- error_log
"faas_pass" directive is not allowed here



=== TEST 17: faas_preload of good functions starts and serves
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload x y/z;
--- config
    location /x { faas_pass y/z; }
--- user_files
>>> fn/x.js
module.exports = function () { return 'x'; };
>>> fn/y/z.js
module.exports = function () { return 'z'; };
--- request
GET /x
--- response_body chomp
z
--- no_error_log
[error]
[emerg]
[alert]
