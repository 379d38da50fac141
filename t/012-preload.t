# vi:filetype=perl

# faas_preload compiles and runs a module when a worker starts.
#
# What is checked here is written to the log once per worker start, so the
# blocks run once: a repetition would find nothing new in the log.

use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
run_tests();

__DATA__

=== TEST 1: a preloaded module runs at worker start, not at a request
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload warm;
--- config
    location /w { faas_pass warm; }
--- user_files
>>> fn/warm.js
console.warn('warm module loaded');
module.exports = function () { return 'warm'; };
--- request
GET /w
--- response_body chomp
warm
--- error_log eval
qr/\[warn\] .*faas - \[-\]: warm module loaded/
--- no_error_log
[error]
[alert]



=== TEST 2: a module that fails at worker start is logged, then loads lazily
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload flaky;
--- config
    location /f { faas_pass flaky; }
--- user_files
>>> fn/flaky.js
var g = Function('return this')();
g.tries = (g.tries || 0) + 1;
if (g.tries === 1) { throw new Error('not ready yet'); }
module.exports = function () { return 'loaded on try ' + g.tries; };
--- request
GET /f
--- response_body chomp
loaded on try 2
--- error_log
faas: preloading "flaky" failed: Error: not ready yet
--- no_error_log
[alert]



=== TEST 3: preloaded into the heap the location uses, faas_memory below
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_preload warm;
--- config
    faas_memory 32m;
    location /w { faas_pass warm; }
--- user_files
>>> fn/warm.js
console.warn('warm module loaded');
module.exports = function () { return 'warm'; };
--- request
GET /w
--- response_body chomp
warm
--- error_log eval
qr/\[warn\] .*faas - \[-\]: warm module loaded/
--- no_error_log eval
[qr/faas warm \[\w+\]: warm module loaded/, "[error]", "[alert]"]
