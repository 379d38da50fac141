# vi:filetype=perl

# faas_batch: Hypernova's POST /batch answered by the front, each job one
# subrequest to the render pool (here one render worker, a server of the
# same nginx). The exact shape of the answer, the markup wrapped as
# Hypernova's serialize() does, the job's JSON as the render side gets it,
# failing jobs (unknown, invalid name, throwing, too big, timed out) next
# to rendered ones, and the batch-level refusals: 400 for a malformed
# envelope, 413 past 1,024,000 bytes, 405 for a GET. t/071 runs the real
# hypernova-client against it.

use Test::Nginx::Socket 'no_plan';

$ENV{TEST_NGINX_RENDER_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 50;

# a render worker of its own, so a job's timeout is the front's to see
master_on();
workers(4);

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: two components in one batch, the exact answer
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        faas_admit budget=10s;
        subrequest_output_buffer_size 64k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Hello.js
module.exports = function (ctx) {
    return '<p>Hello ' + ctx.body.data.name + '</p>';
};
>>> fn/Count.js
module.exports = function (ctx) { return '<i>' + ctx.body.data.n + '</i>'; };
--- request
POST /batch
{"Hello":{"name":"Hello","data":{"name":"Ann"}},"Count":{"name":"Count","data":{"n":3}}}
--- more_headers
Content-Type: application/json
--- response_headers
Content-Type: application/json
--- response_body_like eval
my $id = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
my $ms = '\d+(\.\d+)?';
qr/^\{"success":true,"error":null,"results":\{"Hello":\{"name":"Hello","html":"<div data-hypernova-key=\\"Hello\\" data-hypernova-id=\\"($id)\\"><p>Hello Ann<\/p><\/div>\\n<script type=\\"application\/json\\" data-hypernova-key=\\"Hello\\" data-hypernova-id=\\"\1\\"><!--\{\\"name\\":\\"Ann\\"\}--><\/script>","meta":\{\},"duration":$ms,"statusCode":200,"success":true,"error":null\},"Count":\{"name":"Count","html":"<div data-hypernova-key=\\"Count\\" data-hypernova-id=\\"$id\\"><i>3<\/i><\/div>\\n<script type=\\"application\/json\\" data-hypernova-key=\\"Count\\" data-hypernova-id=\\"$id\\"><!--\{\\"n\\":3\}--><\/script>","meta":\{\},"duration":$ms,"statusCode":200,"success":true,"error":null\}\}\}$/
--- no_error_log
[error]
[alert]



=== TEST 2: the render side gets the job as a JSON POST of its own
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Echo.js
module.exports = function (ctx) {
    return [ctx.method, ctx.path, ctx.headers['content-type'],
            ctx.headers['content-length'], ctx.headers.cookie || 'no cookie',
            ctx.rawBody].join(' | ');
};
--- request
POST /batch
{"t":{"name":"Echo","data":[1,"x",null],"metadata":{"a":true}}}
--- more_headers
Content-Type: application/json
Cookie: secret=1
--- response_body_like chomp
"html":"<div [^>]+>POST \| /Echo \| application/json \| 57 \| no cookie \| \{\\"name\\":\\"Echo\\",\\"data\\":\[1,\\"x\\",null\],\\"metadata\\":\{\\"a\\":true\}\}</div>
--- no_error_log
[error]



=== TEST 3: an unknown component and an invalid name are 404 jobs, the others render
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Hello.js
module.exports = function () { return '<p>hi</p>'; };
--- request
POST /batch
{"a":{"name":"Nope","data":1},"b":{"name":"Hello","data":2},"c":{"name":"../x.js"}}
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"a":\{"name":"Nope","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":404,"success":false,"error":\{"type":"ReferenceError","name":"ReferenceError","message":"Component \\"Nope\\" not registered","stack":\[\]\}\},"b":\{"name":"Hello","html":"<div [^}]+<p>hi<\/p><\/div>\\n<script [^}]+><!--2--><\/script>","meta":\{\},"duration":[\d.]+,"statusCode":200,"success":true,"error":null\},"c":\{"name":"..\/x.js","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":404,"success":false,"error":\{"type":"ReferenceError","name":"ReferenceError","message":"Component \\"..\/x.js\\" not registered","stack":\[\]\}\}\}\}$/
--- error_log
ngx_faas_batch: job "Nope" failed (404): Component "Nope" not registered
ngx_faas_batch: job "../x.js" failed (404)
--- no_error_log
[alert]



=== TEST 4: a throwing component is a 500 job (its message with faas_debug)
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location = /Boom2 { faas_debug on; faas_pass Boom2; }
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Boom.js
module.exports = function () { throw new TypeError('boom'); };
>>> fn/Boom2.js
module.exports = function () { throw new TypeError('boom2'); };
>>> fn/Hello.js
module.exports = function () { return '<p>hi</p>'; };
--- request
POST /batch
{"x":{"name":"Boom"},"y":{"name":"Hello"},"z":{"name":"Boom2"}}
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"x":\{"name":"Boom","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":500,"success":false,"error":\{"type":"Error","name":"Error","message":"function failed","stack":\[\]\}\},"y":\{"name":"Hello","html":"<div [^}]+<p>hi<\/p>[^}]+<!--null--><\/script>","meta":\{\},"duration":[\d.]+,"statusCode":200,"success":true,"error":null\},"z":\{"name":"Boom2","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":500,"success":false,"error":\{"type":"Error","name":"Error","message":"TypeError: boom2","stack":\["TypeError: boom2[^"]*"\]\}\}\}\}$/
--- error_log
ngx_faas_batch: job "Boom" failed (500): function failed
--- no_error_log
[alert]



=== TEST 5: a name no function can have (a dot) is a 404 job without a subrequest
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Esc.js
module.exports = function (ctx) { return 'ok'; };
--- request
POST /batch
{"my-view.js":{"name":"my-view.js","data":{"s":"a&b>c</script><!-- x -->","u":"\u00e9","n":0.5}}}
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"my-view.js":\{"name":"my-view.js","html":null,/
--- no_error_log
[alert]



=== TEST 6: the escaping, rendered (the name without non-word characters is the key)
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>[\w-]+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/my-view.js
module.exports = function (ctx) { return 'ok'; };
--- request
POST /batch
{"v":{"name":"my-view","data":{"s":"a&b>c</script><!-- x -->","u":"\u00e9","n":0.5}}}
--- response_body_like eval
qr/"html":"<div data-hypernova-key=\\"myview\\" data-hypernova-id=\\"[0-9a-f-]{36}\\">ok<\/div>\\n<script type=\\"application\/json\\" data-hypernova-key=\\"myview\\" data-hypernova-id=\\"[0-9a-f-]{36}\\"><!--\{\\"s\\":\\"a&amp;b&gt;c<\/script&gt;<!-- x --&gt;\\",\\"u\\":\\"\x{c3}\x{a9}\\",\\"n\\":0.5\}--><\/script>"/
--- no_error_log
[error]



=== TEST 7.1: a malformed envelope is 400 with Hypernova's error shape: not JSON
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request
POST /batch
{"a":
--- error_code: 400
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"body is not JSON","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_start: body is not JSON: 
--- no_error_log
[alert]



=== TEST 7.2: a malformed envelope is 400 with Hypernova's error shape: an array
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request
POST /batch
[{"name":"Hello"}]
--- error_code: 400
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"body must be a JSON object of jobs","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_parse: body is not a JSON object
--- no_error_log
[alert]



=== TEST 7.3: a malformed envelope is 400 with Hypernova's error shape: a job that is not an object (its token logged escaped)
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request
POST /batch
{"a":{"name":"Hello"},"b\u0001\\":7}
--- error_code: 400
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"a job must be a JSON object","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_job: job "b\x01\x5C" is not an object
--- no_error_log
[alert]



=== TEST 7.4: a malformed envelope is 400 with Hypernova's error shape: a name that is not a string
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request
POST /batch
{"a":{"name":5}}
--- error_code: 400
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"a job's \"name\" must be a string","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_job: job "a" has no string "name"
--- no_error_log
[alert]



=== TEST 7.5: a malformed envelope is 400 with Hypernova's error shape: no name
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request
POST /batch
{"a":{"data":{}}}
--- error_code: 400
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"a job's \"name\" must be a string","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_job: job "a" has no string "name"
--- no_error_log
[alert]



=== TEST 8: an empty batch, a GET
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request eval
["POST /batch\n{}", "GET /batch"]
--- error_code eval
[200, 405]
--- response_body_like eval
['^\{"success":true,"error":null,"results":\{\}\}$', '405 Not Allowed']
--- no_error_log
[error]



=== TEST 9: over 1,024,000 bytes is 413 (under the location's client_max_body_size)
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { client_max_body_size 2m; faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request eval
"POST /batch\n{\"a\":{\"name\":\"x\",\"data\":\"" . ("x" x 1024000) . "\"}}"
--- error_code: 413
--- response_body chomp
{"success":false,"error":{"name":"Error","message":"request body too large","stack":[]},"results":{}}
--- error_log
ngx_faas_batch_handler: body of 1024028 bytes is over 1024000
--- no_error_log
[alert]



=== TEST 10: a job that times out fails alone, at faas_batch_timeout
--- main_config
    faas_render_workers 2;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; faas_batch_timeout 300ms; }
    location /_job/ {
        internal;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Slow.js
module.exports = function () {
    var start = Date.now();
    while (Date.now() - start < 1000) {}
    return 'slow';
};
--- request
POST /batch
{"s":{"name":"Slow"},"u":{"name":"Nope"}}
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"s":\{"name":"Slow","html":null,"meta":\{\},"duration":(29\d|[34]\d\d)\.\d+,"statusCode":500,"success":false,"error":\{"type":"TimeoutError","name":"TimeoutError","message":"no answer within faas_batch_timeout","stack":\[\]\}\},"u":\{"name":"Nope","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":404,/
--- error_log
ngx_faas_batch: job "Slow" failed (500): no answer within faas_batch_timeout
--- no_error_log
[alert]
--- timeout: 5



=== TEST 11: a component's HTML over subrequest_output_buffer_size fails that job
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
    location /_job/ {
        internal;
        subrequest_output_buffer_size 8k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Big.js
module.exports = function () { return new Array(10001).join('x'); };
>>> fn/Fits.js
module.exports = function () { return new Array(8001).join('y'); };
--- request
POST /batch
{"b":{"name":"Big"},"f":{"name":"Fits"}}
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"b":\{"name":"Big","html":null,"meta":\{\},"duration":[\d.]+,"statusCode":500,"success":false,"error":\{"type":"Error","name":"Error","message":"the component's HTML is over the subrequest_output_buffer_size of the render location","stack":\[\]\}\},"f":\{"name":"Fits","html":"<div [^>]+>y{8000}<\/div>/
--- error_log
ngx_faas_subrequest_keep: the answer of "/_job/Big" is over subrequest_output_buffer_size 8192, dropped
ngx_faas_batch: job "Big" failed (500)
--- no_error_log
[alert]



=== TEST 12: faas_batch's URI must start with "/" and have no arguments
--- config
    location = /batch { faas_batch _job; }
--- must_die
--- error_log
invalid URI "_job" in "faas_batch" directive



=== TEST 13: faas_batch_timeout takes a time
--- config
    location = /batch { faas_batch /_job/; faas_batch_timeout soon; }
--- must_die
--- error_log
"faas_batch_timeout" directive invalid value



=== TEST 14: faas_batch_cache takes NAME:SIZE or off
--- config
    location = /batch { faas_batch /_job/; faas_batch_cache pages; }
--- must_die
--- error_log
invalid value "pages" in "faas_batch_cache" directive, it must be "off" or NAME:SIZE



=== TEST 15: faas_batch_cache's zone needs 8 pages at least
--- config
    location = /batch { faas_batch /_job/; faas_batch_cache pages:4k; }
--- must_die
--- error_log
invalid value "pages:4k" in "faas_batch_cache" directive



=== TEST 16: what jansson quotes of a body that is not JSON is logged escaped
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch { faas_batch /_job/; }
--- user_files
>>> fn/Hello.js
module.exports = function () { return 'hi'; };
--- request eval
"POST /batch\n{\"a\":\x01x}"
--- error_code: 400
--- error_log
ngx_faas_batch_start: body is not JSON: invalid token near '\x01' at offset 6
--- no_error_log
[alert]



=== TEST 17: an envelope nginx wrote to a file is read in the location's thread pool, as a call's body is
--- main_config
    faas_render_workers 1;
    thread_pool faas threads=1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;

    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
    }
--- config
    location = /batch {
        client_body_buffer_size 1k;
        aio threads=faas;
        faas_batch /_job/;
    }
    location /_job/ {
        internal;
        faas_admit budget=10s;
        subrequest_output_buffer_size 64k;
        proxy_pass http://127.0.0.1:$TEST_NGINX_RENDER_PORT/;
    }
--- user_files
>>> fn/Count.js
module.exports = function (ctx) {
    return '<i>' + ctx.body.data.n + ' ' + ctx.body.data.pad.length + '</i>';
};
--- request eval
"POST /batch\n" . '{"Count":{"name":"Count","data":{"n":3,"pad":"' . ('x' x 6000) . '"}}}'
--- more_headers
Content-Type: application/json
--- response_body_like eval
qr/^\{"success":true,"error":null,"results":\{"Count":\{"name":"Count","html":"<div data-hypernova-key=\\"Count\\" data-hypernova-id=\\"[-0-9a-f]+\\"><i>3 6000<\/i><\/div>/
--- error_log
a client request body is buffered to a temporary file
in a thread
--- no_error_log
[error]
[alert]
