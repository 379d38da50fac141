# vi:filetype=perl

# console.* writes to the nginx error log, tagged with function and request

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: each method at its level, tagged with name and request id
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass logger; }
--- user_files
>>> fn/logger.js
module.exports = function (ctx) {
    console.log('via log', 1, true);
    console.info('via info', { a: [1, 2] });
    console.warn('via warn');
    console.error('via error', new Error('shown with stack'));
    console.debug('via debug');
    return 'logged';
};
--- request
GET /c
--- response_body chomp
logged
--- error_log eval
[qr/\[info\] .*faas logger \[[0-9a-f]{32}\]: via log 1 true, client: /,
 qr/\[info\] .*faas logger \[[0-9a-f]{32}\]: via info \{"a":\[1,2\]\}/,
 qr/\[warn\] .*faas logger \[[0-9a-f]{32}\]: via warn/,
 qr/\[error\] .*faas logger \[[0-9a-f]{32}\]: via error Error: shown with stack/,
 qr/\[debug\] .*faas logger \[[0-9a-f]{32}\]: via debug/]
--- no_error_log
[alert]



=== TEST 2: below the error_log level nothing is written
--- log_level: warn
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass logger; }
--- user_files
>>> fn/logger.js
module.exports = function () {
    console.info('quiet info');
    console.warn('loud warn');
    return 'ok';
};
--- request
GET /c
--- error_log
loud warn
--- no_error_log
quiet info



=== TEST 3: a cyclic object and a throwing toString are logged, not fatal
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass odd; }
--- user_files
>>> fn/odd.js
module.exports = function () {
    var o = {}; o.o = o;
    console.warn('cyclic', o);
    console.warn({ toString: function () { throw new Error('no string'); },
                   toJSON: function () { throw new Error('no json'); } });
    return 'survived';
};
--- request
GET /c
--- response_body chomp
survived
--- error_log
faas odd
cyclic [object Object]
Error: no string
--- no_error_log
[alert]
[crit]



=== TEST 4: faas_debug returns the call's console output in headers
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass dbg; faas_debug on; }
--- user_files
>>> fn/dbg.js
module.exports = function () {
    console.info('first line');
    console.warn('second\nline');
    return 'ok';
};
--- request
GET /c
--- response_headers
X-Faas-Log: info: first line, warn: second line
--- response_body chomp
ok
--- no_error_log
[error]
[alert]



=== TEST 5: without faas_debug there is no log header
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass dbg; }
--- user_files
>>> fn/dbg.js
module.exports = function () { console.info('first line'); return 'ok'; };
--- request
GET /c
--- response_headers
!X-Faas-Log
--- no_error_log
[error]
[alert]



=== TEST 6: faas_debug rebuilds the module on every call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass count; faas_debug on; }
--- user_files
>>> fn/count.js
var n = 0;
module.exports = function () { return ++n; };
--- request eval
["GET /c", "GET /c", "GET /c"]
--- response_body eval
["1", "1", "1"]
--- no_error_log
[error]
[alert]



=== TEST 7: what a function logs cannot forge a line of the error log
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass forger; }
--- user_files
>>> fn/forger.js
module.exports = function (ctx) {
    console.warn('q=' + ctx.query.q);
    return 'ok';
};
--- request
GET /c?q=a%0A2026/12/02%2000:00:00%20%5Bemerg%5D%201%231:%20forged%5C%1B
--- response_body chomp
ok
--- error_log eval
qr/\[warn\] .*: q=a\\x0A2026\/12\/02 00:00:00 \[emerg\] 1#1: forged\\x5C\\x1B, client: /
--- no_error_log eval
[qr/^2026\/12\/02 00:00:00 \[emerg\]/m, "[error]"]



=== TEST 8: nor can the message of what it throws
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /c { faas_pass thrower; }
--- user_files
>>> fn/thrower.js
module.exports = function (ctx) {
    throw new Error('x\r2026/12/02 00:00:00 [emerg] 1#1: forged');
};
--- request
GET /c
--- error_code: 500
--- error_log eval
qr/\[error\] .*function "thrower" failed: Error: x\\x0D2026\/12\/02 00:00:00 \[emerg\] 1#1: forged/
--- no_error_log
[alert]
