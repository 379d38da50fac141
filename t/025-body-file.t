# vi:filetype=perl

# A body larger than client_body_buffer_size, which nginx writes to a
# temporary file: with "aio threads" in the location the module reads it
# back in a thread of the location's pool (the request waits, the worker
# serves others), without it by a read in the event loop; either way the
# function sees the same body as from memory (JSON, form, BSON, bytes that
# are not text), inline and in the render pool. A pool the location names
# that does not exist is a 500 with the cause in the log.
#
# Each block sends the same body to a location that spools it (/file/)
# and to one that keeps it in memory (/mem/): the answers must agree, and
# with what this file computes of the body itself. The log is checked
# from the start of the block (after each request of it, the first is the
# spooled one).

use Test::Nginx::Socket 'no_plan';

$ENV{TEST_NGINX_RENDER_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 20;

# a master and two workers: the render pool's block needs them
master_on();
workers(2);

repeat_each(2);
check_accum_error_log();
no_long_string();
run_tests();

# what sum.js answers of a text: its length in UTF-16 units and a hash of
# them (h * 31 + unit, modulo 2^32), as JavaScript computes it
sub digest {
    my ($text) = @_;
    my $h = 0;
    for my $c (split //, $text) {
        $h = ($h * 31 + ord($c)) % 4294967296;
    }
    return length($text) . " $h";
}

# a JSON array of n objects, compact: JSON.stringify gives the same text
sub json_body {
    my ($n) = @_;
    return '{"items":['
           . join(',', map { qq({"id":$_,"name":"item $_"}) } 0 .. $n - 1)
           . ']}';
}

# a form of n pairs and the JSON text of the object ctx.body makes of it
sub form_body {
    my ($n) = @_;
    return join '&', map { "k$_=v%20$_" } 0 .. $n - 1;
}

sub form_json {
    my ($n) = @_;
    return '{' . join(',', map { qq("k$_":"v $_") } 0 .. $n - 1) . '}';
}

# a BSON document { list: [ "s0", ..., "s<n-1>" ] } and its JSON text
sub bson_body {
    my ($n) = @_;
    my $e = '';
    for my $i (0 .. $n - 1) {
        my $v = "s$i";
        $e .= "\x02$i\0" . pack('V', length($v) + 1) . "$v\0";
    }
    my $list = pack('V', length($e) + 5) . $e . "\0";
    my $doc = "\x04list\0" . $list;
    return pack('V', length($doc) + 5) . $doc . "\0";
}

sub bson_json {
    my ($n) = @_;
    return '{"list":[' . join(',', map { qq("s$_") } 0 .. $n - 1) . ']}';
}

# bytes that are not text: every ASCII byte (NUL and the controls among
# them), two-byte and three-byte UTF-8, and 0xFF, which is never UTF-8;
# the second value is the text the function sees (0xFF as U+FFFD)
sub bytes_body {
    my ($n) = @_;
    my $chunk = join('', map { chr } 0 .. 127) . "\xc3\xa9\xe2\x82\xac\xff.";
    my $text = join('', map { chr } 0 .. 127) . "\x{e9}\x{20ac}\x{fffd}.";
    return ("B" . ($chunk x $n), "B" . ($text x $n));
}

# n blocks of 64 KB, each starting with its number: a block read to the
# wrong place shows
sub huge_body {
    my ($n) = @_;
    return join '', map { sprintf('<%06d>', $_) . ('x' x (65536 - 8)) }
                    0 .. $n - 1;
}

__DATA__

=== TEST 1: a JSON body in a file is read in the location's thread pool, as from memory
--- main_config
    thread_pool faas threads=2;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /file/ {
        client_body_buffer_size 1k;
        aio threads=faas;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = typeof ctx.body === 'string' ? ctx.body
               : JSON.stringify(ctx.body);
    var h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h;
};
--- more_headers
Content-Type: application/json
--- request eval
["POST /file/\n" . main::json_body(2000), "POST /mem/\n" . main::json_body(2000)]
--- response_body eval
[main::digest(main::json_body(2000)), main::digest(main::json_body(2000))]
--- error_log
a client request body is buffered to a temporary file
in a thread
--- no_error_log
[error]
[alert]



=== TEST 2: a form body nginx keeps only in a file (client_body_in_file_only), default pool
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /file/ {
        client_body_in_file_only clean;
        aio threads;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = JSON.stringify(ctx.body), h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h;
};
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- request eval
["POST /file/\n" . main::form_body(3000), "POST /mem/\n" . main::form_body(3000)]
--- response_body eval
[main::digest(main::form_json(3000)), main::digest(main::form_json(3000))]
--- error_log
in a thread
--- no_error_log
[error]
[alert]



=== TEST 3: a BSON body in a file, read in a thread, as from memory
--- main_config
    thread_pool faas threads=1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /file/ {
        client_body_buffer_size 1k;
        aio threads=faas;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = JSON.stringify(ctx.body), h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h;
};
--- more_headers
Content-Type: application/bson
--- request eval
["POST /file/\n" . main::bson_body(2000), "POST /mem/\n" . main::bson_body(2000)]
--- response_body eval
[main::digest(main::bson_json(2000)), main::digest(main::bson_json(2000))]
--- error_log
in a thread
--- no_error_log
[error]
[alert]



=== TEST 4: bytes that are not text, in a file, read in a thread, as from memory
--- main_config
    thread_pool faas threads=2;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /file/ {
        client_body_buffer_size 1k;
        aio threads=faas;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = ctx.rawBody, h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h + ' ' + (ctx.body === text);
};
--- more_headers
Content-Type: application/octet-stream
--- request eval
my ($bytes) = main::bytes_body(100);
["POST /file/\n$bytes", "POST /mem/\n$bytes"]
--- response_body eval
my (undef, $text) = main::bytes_body(100);
[main::digest($text) . " true", main::digest($text) . " true"]
--- error_log
in a thread
--- no_error_log
[error]
[alert]



=== TEST 5: a 16 MB body in a file, read in a thread, every block in its place
--- main_config
    thread_pool faas threads=2;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /file/ {
        client_body_buffer_size 16k;
        aio threads=faas;
        faas_memory 256m;
        faas_pass blocks;
    }
--- user_files
>>> fn/blocks.js
module.exports = function (ctx) {
    var s = ctx.rawBody, n = s.length / 65536, good = 0, i, want;
    for (i = 0; i < n; i++) {
        want = '<' + ('00000' + i).slice(-6) + '>';
        if (s.substr(i * 65536, 8) === want) {
            good++;
        }
    }
    return s.length + ' ' + good;
};
--- more_headers
Content-Type: application/octet-stream
--- request eval
"POST /file/\n" . main::huge_body(256)
--- response_body chomp
16777216 256
--- error_log
in a thread
--- no_error_log
[error]
[alert]
--- timeout: 30



=== TEST 6: without aio threads the body in a file is read in the event loop, nothing logged
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /file/ {
        client_body_buffer_size 1k;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = JSON.stringify(ctx.body), h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h;
};
--- more_headers
Content-Type: application/json
--- request eval
["POST /file/\n" . main::json_body(2000), "POST /mem/\n" . main::json_body(2000)]
--- response_body eval
[main::digest(main::json_body(2000)), main::digest(main::json_body(2000))]
--- error_log
a client request body is buffered to a temporary file
--- no_error_log
in a thread
[error]
[alert]



=== TEST 7: a thread pool the location names that does not exist: 500, the cause in the log
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /file/ {
        set $pool nosuch;
        client_body_buffer_size 1k;
        aio threads=$pool;
        faas_pass sum;
    }
--- user_files
>>> fn/sum.js
module.exports = function () { return 'ran'; };
--- more_headers
Content-Type: application/json
--- request eval
"POST /file/\n" . main::json_body(2000)
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log
faas: thread pool "nosuch" not found
faas: cannot read the request body from
faas: function "sum" failed: the request body nginx wrote to a file could not be read
--- no_error_log
[crit]
[emerg]



=== TEST 8: in the render pool: a spooled body read in the render worker's thread pool
--- main_config
    faas_render_workers 1;
    thread_pool faas threads=2;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        client_body_buffer_size 1k;
        aio threads=faas;
        location / { faas_pass sum; }
    }
--- config
    location /mem/ {
        client_body_buffer_size 1m;
        faas_pass sum;
    }
    location /r/ {
        client_body_buffer_size 1k;
        faas_admit budget=10s;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/sum.js
module.exports = function (ctx) {
    var text = JSON.stringify(ctx.body), h = 0, i;
    for (i = 0; i < text.length; i++) {
        h = (h * 31 + text.charCodeAt(i)) >>> 0;
    }
    return text.length + ' ' + h;
};
--- more_headers
Content-Type: application/json
--- request eval
["POST /r/\n" . main::json_body(2000), "POST /mem/\n" . main::json_body(2000)]
--- response_body eval
[main::digest(main::json_body(2000)), main::digest(main::json_body(2000))]
--- error_log
in a thread
--- no_error_log
[error]
[alert]
