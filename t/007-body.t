# vi:filetype=perl

# request bodies: decoded by content type; bad ones are 400 and the
# function is not called

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

# a little BSON encoder: enough for the documents these tests send
sub bson_doc {
    my @pairs = @_;
    my $e = '';
    while (my ($k, $v) = splice(@pairs, 0, 2)) {
        my ($type, $val) = @$v;
        if ($type eq 'str') {
            $e .= "\x02$k\0" . pack('V', length($val) + 1) . "$val\0";
        } elsif ($type eq 'int') {
            $e .= "\x10$k\0" . pack('l<', $val);
        } elsif ($type eq 'dbl') {
            $e .= "\x01$k\0" . pack('d<', $val);
        } elsif ($type eq 'bool') {
            $e .= "\x08$k\0" . ($val ? "\x01" : "\x00");
        } elsif ($type eq 'null') {
            $e .= "\x0a$k\0";
        } elsif ($type eq 'doc') {
            $e .= "\x03$k\0" . $val;
        } elsif ($type eq 'arr') {
            $e .= "\x04$k\0" . $val;
        }
    }
    return pack('V', length($e) + 5) . $e . "\0";
}

sub bson_request {
    my ($uri, $body) = @_;
    return "POST $uri HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
           . "Content-Type: application/bson\r\n"
           . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
}

# n documents, each the only field "a" of the one around it, built in one
# pass (nesting by concatenation would copy the whole body n times)
sub bson_nested {
    my ($n) = @_;
    my $prefix = join '', map { pack('V', 5 + 8 * ($n - $_)) . "\x03a\0" } 0 .. $n - 1;
    return $prefix . pack('V', 5) . "\0" . ("\0" x $n);
}

__DATA__

=== TEST 1: invalid JSON is 400, the function is not called
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- request
POST /b
{"a": 
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"error":"invalid request body"}
--- error_log
faas: function "b" not called, invalid request body: SyntaxError
--- no_error_log
called anyway
[alert]



=== TEST 2: JSON nested 100,000 levels deep is 400, not a crash
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 'x'; };
--- request eval
"POST /b\n" . ("[" x 100000) . ("]" x 100000)
--- more_headers
Content-Type: application/json
--- error_code: 400
--- error_log
invalid request body: RangeError
--- no_error_log
called anyway
[alert]
[crit]



=== TEST 3: a malformed form body is 400
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- request
POST /b
a=1&b=%zz
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body chomp
{"error":"invalid request body"}
--- error_log
faas: function "b" not called, invalid request body: URIError: malformed percent-encoding
--- no_error_log
called anyway
[alert]



=== TEST 4: a BSON body is decoded with its types
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) {
    var b = ctx.body;
    return [typeof b.name, b.name, b.n + 1, b.x * 2, b.ok, b.none,
            b.inner.deep, b.list.length, b.list[1]].join(' ');
};
--- raw_request eval
main::bson_request("/b", main::bson_doc(
    name => [str => "ann"], n => [int => 41], x => [dbl => 1.25],
    ok => [bool => 1], none => [null => undef],
    inner => [doc => main::bson_doc(deep => [str => "yes"])],
    list => [arr => main::bson_doc(0 => [int => 7], 1 => [str => "b"])]))
--- response_body chomp
string ann 42 2.5 true  yes 2 b
--- no_error_log
[error]
[alert]



=== TEST 5: a truncated BSON document is 400
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- raw_request eval
main::bson_request("/b", substr(main::bson_doc(name => [str => "ann"], n => [int => 1]), 0, 12))
--- error_code: 400
--- error_log
faas: function "b" not called, invalid request body: TypeError: invalid BSON document
--- no_error_log
called anyway
[alert]



=== TEST 6: a BSON string with a lying length is 400
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- raw_request eval
my $e = "\x02s\0" . pack('V', 1000) . "abc\0";
main::bson_request("/b", pack('V', length($e) + 5) . $e . "\0")
--- error_code: 400
--- error_log
invalid request body: TypeError: invalid BSON document
--- no_error_log
called anyway
[alert]



=== TEST 7: BSON nested 100,000 levels deep is 400, not a crash
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 'x'; };
--- raw_request eval
main::bson_request("/b", main::bson_nested(100000))
--- error_code: 400
--- error_log
invalid request body: RangeError: BSON document nested too deeply
--- no_error_log
called anyway
[alert]
[crit]



=== TEST 8: BSON nested 50 levels is fine
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) {
    var d = 0, o = ctx.body;
    while (o.a) { o = o.a; d++; }
    return d;
};
--- raw_request eval
main::bson_request("/b", main::bson_nested(50))
--- response_body chomp
50
--- no_error_log
[error]
[alert]



=== TEST 9: a body over client_max_body_size is 413 as nginx does
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { client_max_body_size 1k; faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 'x'; };
--- request eval
"POST /b\n" . ("x" x 4096)
--- error_code: 413
--- error_log
client intended to send too large body
--- no_error_log
called anyway
[alert]



=== TEST 10: a form key with a bad escape before a long value is 400, not a crash
the key's unescape failed and the value was written one byte before the
buffer; a body over a few KB then killed the worker at the end of the
request, so the second round of repeat_each found no server
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- request eval
"POST /b\n%zz=" . ("A" x 4996)
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body chomp
{"error":"invalid request body"}
--- error_log
faas: function "b" not called, invalid request body: URIError: malformed percent-encoding
--- no_error_log
called anyway
[alert]



=== TEST 11: the same after a good pair: the bad key is not the first
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- request eval
"POST /b\nx=1&%zz=" . ("B" x 9000)
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body chomp
{"error":"invalid request body"}
--- error_log
faas: function "b" not called, invalid request body: URIError: malformed percent-encoding
--- no_error_log
called anyway
[alert]



=== TEST 12: a BSON regular expression that is not UTF-8 is 400, as strings are
libbson checks that the pattern and its options end, not what they hold
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return ctx.body; };
--- raw_request eval
[main::bson_request("/b", pack('V', 12) . "\x0bre\0\xff\0\0\0"),
 main::bson_request("/b", pack('V', 13) . "\x0bre\0a\0\xfe\0\0")]
--- error_code eval
[400, 400]
--- response_body eval
[('{"error":"invalid request body"}') x 2]
--- error_log
invalid request body: TypeError: invalid UTF-8 in a BSON regular expression
--- no_error_log
called anyway
[alert]



=== TEST 13: a valid BSON regular expression is its source text
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { return ctx.body; };
--- raw_request eval
main::bson_request("/b", pack('V', 17) . "\x0bre\0^\xc3\xa9+\$\0i\0\0")
--- response_body chomp
{"re":"/^é+$/i"}
--- no_error_log
[error]
[alert]



=== TEST 14: a body as deep as the decoders go can be answered inside an object of the function
JSON.parse() and the BSON decoder stop at 1000 levels; JSON.stringify()
once stopped there too, so { body: ctx.body } of such a body was 500
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) {
    var d = 0, o = ctx.body;
    while (typeof o === 'object' && o !== null) { o = Array.isArray(o) ? o[0] : o.a; d++; }
    return { depth: d, wrapped: [[{ body: ctx.body }]] };
};
--- raw_request eval
[main::bson_request("/b", main::bson_nested(999)),
 "POST /b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
 . "Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n"
 . ('[' x 1000) . (']' x 1000)]
--- response_body_like eval
[qr/^\{"depth":1000,"wrapped":\[\[\{"body":\{"a":\{"a":/,
 qr/^\{"depth":1000,"wrapped":\[\[\{"body":\[\[\[/]
--- no_error_log
[error]
[alert]



=== TEST 15: a body the heap cannot hold is 413, not 500, and the heap is kept
the body alone did not fit in faas_memory: nothing of the function ran,
so the client's request is what is too large
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { client_max_body_size 60m; faas_memory 32m; faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 1; };
--- request eval
"POST /b\n" . ("x" x (50 * 1024 * 1024))
--- error_code: 413
--- response_body chomp
{"error":"request body too large for the function's memory limit"}
--- error_log
faas: function "b" not called, request body of 52428800 bytes does not fit in faas_memory 32768k
--- no_error_log
called anyway
[alert]
heap of



=== TEST 16: a JSON body that fits as text but not as values is 413 too
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_memory 4m; faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 1; };
--- request eval
"POST /b\n[" . ("[]," x 400000) . "[]]"
--- more_headers
Content-Type: application/json
--- error_code: 413
--- response_body chomp
{"error":"request body too large for the function's memory limit"}
--- error_log
does not fit in faas_memory 4096k
--- no_error_log
called anyway
[alert]



=== TEST 17: a BSON key quoted in the error log is escaped
what a decoder says about a body may quote it; a carriage return or an
escape sequence in a key would otherwise reach the log (and a terminal)
as the client wrote it
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /b { faas_pass b; }
--- user_files
>>> fn/b.js
module.exports = function (ctx) { console.error('called anyway'); return 1; };
--- raw_request eval
main::bson_request("/b", pack('V', 32) . "\x0ca\rb\x1b[0m\0" . pack('V', 2) . "x\0" . ("\0" x 12) . "\0")
--- error_code: 400
--- error_log
invalid request body: TypeError: unsupported BSON type 0x0c in "a\x0Db\x1B[0m"
--- no_error_log
called anyway
[alert]
