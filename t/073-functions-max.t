# vi:filetype=perl

# faas_functions_max: a heap keeps at most N functions (the components of
# faas_batch), least recently used first; a function loaded past the cap
# drops the one used longest ago, its modules' requires stay cached; loads
# and evictions are counted per worker in faas_status. Each function says
# in which load it was made (a counter in a shared lib module).

use Test::Nginx::Socket 'no_plan';

# the heap lives across the requests of a block: one round
repeat_each(1);
no_shuffle();
no_long_string();
run_tests();

__DATA__

=== TEST 1: two functions per heap: the least recently used goes
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_functions_max 2;
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location = /status { faas_status; }
--- user_files
>>> fn/lib/count.js
module.exports = { n: 0 };
>>> fn/A.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'A ' + mine; };
>>> fn/B.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'B ' + mine; };
>>> fn/C.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'C ' + mine; };
--- request eval
["GET /fn/A", "GET /fn/B", "GET /fn/A", "GET /fn/C", "GET /fn/B",
 "GET /fn/A", "GET /fn/A", "GET /status"]
--- response_body_like eval
["^A 1\$", "^B 2\$", "^A 1\$", "^C 3\$", "^B 4\$", "^A 5\$", "^A 5\$",
 '"function_evictions":3,"function_loads":5,"heap_bytes":\d+,"modules":3,']
--- no_error_log
[error]



=== TEST 2: without a cap every function stays
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/fn/(?<fn>\w+)$ { faas_pass $fn; }
    location = /status { faas_status; }
--- user_files
>>> fn/lib/count.js
module.exports = { n: 0 };
>>> fn/A.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'A ' + mine; };
>>> fn/B.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'B ' + mine; };
>>> fn/C.js
var c = require('./lib/count'), mine = ++c.n;
module.exports = function () { return 'C ' + mine; };
--- request eval
["GET /fn/A", "GET /fn/B", "GET /fn/C", "GET /fn/A", "GET /fn/B",
 "GET /status"]
--- response_body_like eval
["^A 1\$", "^B 2\$", "^C 3\$", "^A 1\$", "^B 2\$",
 '"function_evictions":0,"function_loads":3,"heap_bytes":\d+,"modules":4,']
--- no_error_log
[error]



=== TEST 3: faas_functions_max takes a number
--- http_config
    faas_functions_max many;
--- must_die
--- error_log
"faas_functions_max" directive invalid number
