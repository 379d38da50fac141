# vi:filetype=perl

# fetch(): nginx subrequests to locations of the same server; backends
# here are nginx itself (return, proxy_pass) and other functions

use Test::Nginx::Socket 'no_plan';

# a second port, for a render listener beside the test server
$ENV{TEST_NGINX_RENDER_PORT} ||= ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 1;

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: a JSON backend: status, ok, statusText, url, headers, json()
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass get; }
    location = /api/user {
        proxy_pass http://127.0.0.1:$server_port/backend/user$is_args$args;
    }
    location = /backend/user {
        default_type application/json;
        add_header X-Backend one;
        return 200 '{"name":"ann","id":$arg_id}';
    }
--- user_files
>>> fn/get.js
module.exports = function () {
    return fetch('/api/user?id=7').then(function (r) {
        var names = [];
        r.headers.forEach(function (v, k) {
            if (k !== 'content-length') { names.push(k + '=' + v); }
        });
        return r.json().then(function (body) {
            return { status: r.status, ok: r.ok, statusText: r.statusText,
                     url: r.url, type: r.headers.get('Content-Type'),
                     has: r.headers.has('x-backend'),
                     none: r.headers.get('x-none'), names: names, body: body };
        });
    });
};
--- request
GET /t
--- response_body chomp
{"status":200,"ok":true,"statusText":"OK","url":"/api/user?id=7","type":"application/json","has":true,"none":null,"names":["content-type=application/json","x-backend=one"],"body":{"name":"ann","id":7}}
--- no_error_log
[error]
[alert]



=== TEST 2: methods, headers and bodies reach the backend as sent
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass send; }
    location /echo { faas_pass echo; }
--- user_files
>>> fn/echo.js
module.exports = function (ctx) {
    return { method: ctx.method, type: ctx.headers['content-type'] || null,
             x: ctx.headers['x-test'] || null, cookie: ctx.headers.cookie || null,
             raw: ctx.rawBody, query: ctx.query };
};
>>> fn/send.js
var inits = [
    { method: 'post', body: { a: [1, 2] } },
    { method: 'PUT', body: 'plain', headers: { 'X-Test': 'yes' } },
    { method: 'PATCH', body: new Uint8Array([104, 105]).buffer,
      headers: [['Content-Type', 'application/octet-stream']] },
    { method: 'DELETE', headers: new Headers({ 'x-test': 'h' }) },
    { method: 'POST', body: new Uint8Array([111, 107]),
      headers: { 'content-type': 'text/x-mine' } }
];
module.exports = function () {
    var out = [], p = Promise.resolve();
    inits.forEach(function (init) {
        p = p.then(function () { return fetch('/echo?q=1', init); })
             .then(function (r) { return r.json(); })
             .then(function (o) { out.push(o); });
    });
    return p.then(function () { return out; });
};
--- request
GET /t
--- more_headers
Cookie: secret=1
--- response_body chomp
[{"method":"POST","type":"application/json","x":null,"cookie":null,"raw":"{\"a\":[1,2]}","query":{"q":"1"}},{"method":"PUT","type":"text/plain;charset=UTF-8","x":"yes","cookie":null,"raw":"plain","query":{"q":"1"}},{"method":"PATCH","type":"application/octet-stream","x":null,"cookie":null,"raw":"hi","query":{"q":"1"}},{"method":"DELETE","type":null,"x":"h","cookie":null,"raw":"","query":{"q":"1"}},{"method":"POST","type":"text/x-mine","x":null,"cookie":null,"raw":"ok","query":{"q":"1"}}]
--- no_error_log
[error]
[alert]



=== TEST 3: a backend's 4xx and 5xx are Responses, so is nginx's 502
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    upstream refused { server 127.0.0.1:1; }
--- config
    location /t { faas_pass codes; }
    location = /missing { return 404 'no such thing'; }
    location = /broken { return 500 'broken'; }
    location = /refused { proxy_pass http://refused; }
--- user_files
>>> fn/codes.js
module.exports = function () {
    return Promise.all(['/missing', '/broken', '/refused'].map(function (u) {
        return fetch(u).then(function (r) {
            return r.text().then(function (t) {
                return [r.status, r.ok, r.statusText, t];
            });
        });
    }));
};
--- request
GET /t
--- response_body chomp
[[404,false,"Not Found","no such thing"],[500,false,"Internal Server Error","broken"],[502,false,"Bad Gateway",""]]
--- error_log
connect() failed (111: Connection refused)
--- no_error_log
[alert]



=== TEST 4: a BFF: two backends in parallel, one of them slow, merged
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /bff { faas_pass bff; }
    location /slow { faas_pass slow; }
    location = /api/user { default_type application/json;
                           return 200 '{"name":"ann"}'; }
--- user_files
>>> fn/slow.js
module.exports = function (ctx) {
    return new Promise(function (resolve) {
        setTimeout(resolve, Number(ctx.query.ms), { orders: [1, 2, 3] });
    });
};
>>> fn/bff.js
module.exports = function () {
    var t0 = Date.now();
    return Promise.all([fetch('/api/user'), fetch('/slow?ms=100')])
        .then(function (both) {
            return Promise.all([both[0].json(), both[1].json()]);
        })
        .then(function (b) {
            var ms = Date.now() - t0;
            return { name: b[0].name, orders: b[1].orders.length,
                     waited: ms >= 95 && ms < 1000 };
        });
};
--- request
GET /bff
--- response_body chomp
{"name":"ann","orders":3,"waited":true}
--- no_error_log
[error]
[alert]



=== TEST 5: what fetch refuses is a TypeError; uncaught, it fails the call
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass refuse; }
    location /u { faas_pass uncaught; }
--- user_files
>>> fn/refuse.js
var tries = [
    ['http://evil.example.com/x'], ['api/x'], ['//evil.example.com/x'],
    ['/echo', { method: 'GET', body: 'x' }],
    ['/echo', { headers: { 'x-a': 'b\r\nX-Injected: 1' } }],
    ['/echo', { headers: { 'bad name': 'b' } }],
    ['/echo', { method: 'BREW' }],
    ['/../etc/passwd']
];
module.exports = function () {
    return Promise.all(tries.map(function (t) {
        return fetch(t[0], t[1]).then(function () { return 'fetched'; },
            function (e) { return e.name + ': ' + e.message; });
    }));
};
>>> fn/uncaught.js
module.exports = function () {
    return fetch('https://nowhere.example.com/').then(function (r) {
        return r.status;
    });
};
--- request eval
["GET /t", "GET /u"]
--- error_code eval
[200, 500]
--- response_body eval
['["TypeError: fetch: \"http://evil.example.com/x\" is not a URL this function may fetch: a path (\"/api/x\") or a URL of a faas_fetch_map","TypeError: fetch: \"api/x\" is not a URL this function may fetch: a path (\"/api/x\") or a URL of a faas_fetch_map","TypeError: fetch: \"//evil.example.com/x\" is not a URL this function may fetch: a path (\"/api/x\") or a URL of a faas_fetch_map","TypeError: fetch: a GET request has no body","TypeError: fetch: invalid header name or value","TypeError: fetch: invalid header name or value","TypeError: fetch: cannot fetch \"/echo\" (method, URI or too many subrequests)","TypeError: fetch: cannot fetch \"/../etc/passwd\" (method, URI or too many subrequests)"]',
'{"error":"function failed"}']
--- no_error_log
[alert]



=== TEST 6: faas_fetch_map: an absolute URL goes to its location
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_fetch_map https://api.example.com/ /_api/;
--- config
    location /t { faas_pass mapped; }
    location /_api/ { internal; return 200 '$uri?$args'; }
--- user_files
>>> fn/mapped.js
module.exports = function () {
    var b = fetch('https://api.example.com.evil.org/').then(null,
        function (e) { return e.name; });
    return Promise.all([fetch('https://API.example.com/users/3?x=1')
                            .then(function (r) { return r.text(); }), b])
        .then(function (v) { return { a: v[0], b: v[1] }; });
};
--- request
GET /t
--- response_body chomp
{"a":"/_api/users/3?x=1","b":"TypeError"}
--- no_error_log
[error]



=== TEST 7: text(), arrayBuffer(), a body read once
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass body; }
    location = /data { return 200 'h\u00e9llo'; }
--- user_files
>>> fn/body.js
module.exports = function () {
    return fetch('/data').then(function (r) {
        var c = r.clone();
        return r.arrayBuffer().then(function (ab) {
            var buf = new Uint8Array(ab);
            return r.text().then(null, function (e) { return e.name; })
                .then(function (again) {
                    return c.text().then(function (text) {
                        return { len: buf.length, first: buf[0], text: text,
                                 used: r.bodyUsed, again: again };
                    });
                });
        });
    });
};
--- request
GET /t
--- response_body chomp
{"len":10,"first":104,"text":"h\\u00e9llo","used":true,"again":"TypeError"}
--- no_error_log
[error]



=== TEST 8: a backend that never answers: 504 at faas_deadline, fetch cancelled
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass caller; faas_deadline 300ms;
                  add_header X-Faas-Status $faas_status always; }
    location /hang-proxy { proxy_pass http://127.0.0.1:$server_port/hang;
                           proxy_read_timeout 1s; }
    location /hang { faas_pass hang; }
--- user_files
>>> fn/hang.js
module.exports = function () {
    return new Promise(function (resolve) {
        setTimeout(function () { console.error('hang timer ran'); resolve(1); },
                   5000);
    });
};
>>> fn/caller.js
module.exports = function () {
    return fetch('/hang-proxy').then(function (r) {
        console.error('caller resumed');
        return r.status;
    });
};
--- request
GET /t
--- timeout: 3
--- wait: 0.3
--- error_code: 504
--- response_headers
X-Faas-Status: deadline
--- error_log eval
[qr/\[error\] .*faas: function "caller" still waiting after faas_deadline 300ms/,
 qr/upstream timed out/,
 qr/waiting call of "hang" dropped/]
--- no_error_log
hang timer ran
caller resumed
[alert]



=== TEST 9: 50 calls waiting in one worker at once interleave
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /fan { faas_pass fan; }
    location /slow { faas_pass slow; }
--- user_files
>>> fn/slow.js
module.exports = function (ctx) {
    return new Promise(function (resolve) {
        setTimeout(resolve, 200, { n: Number(ctx.query.n) });
    });
};
>>> fn/fan.js
module.exports = function () {
    var t0 = Date.now(), all = [];
    for (var i = 0; i < 50; i++) {
        all.push(fetch('/slow?n=' + i).then(function (r) { return r.json(); }));
    }
    return Promise.all(all).then(function (got) {
        var sum = 0;
        got.forEach(function (o) { sum += o.n; });
        return { sum: sum, fast: Date.now() - t0 < 2000 };
    });
};
--- request
GET /fan
--- response_body chomp
{"sum":1225,"fast":true}
--- no_error_log
[error]
[alert]



=== TEST 10: a body over subrequest_output_buffer_size rejects the fetch
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass big; }
    location = /big { subrequest_output_buffer_size 1k; faas_pass makebig; }
--- user_files
>>> fn/makebig.js
module.exports = function () { return new Array(4000).join('x'); };
>>> fn/big.js
module.exports = function () {
    return fetch('/big').then(function () { return 'fetched'; },
        function (e) { return e.name + ': ' + e.message; });
};
--- request
GET /t
--- response_body chomp
TypeError: fetch: the response of "/big" is larger than the subrequest_output_buffer_size of its location
--- no_error_log
[alert]



=== TEST 11: a fetch made in a timer's callback
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass later; }
    location = /api/x { return 200 'from x'; }
--- user_files
>>> fn/later.js
module.exports = function () {
    return new Promise(function (resolve, reject) {
        setTimeout(function () {
            fetch('/api/x').then(function (r) { return r.text(); })
                .then(resolve, reject);
        }, 20);
    });
};
--- request
GET /t
--- response_body chomp
from x
--- no_error_log
[error]
[alert]



=== TEST 12: in the render pool too: a render worker's call waits and fetches
--- main_config
    faas_render_workers 1;
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    upstream render { server 127.0.0.1:$TEST_NGINX_RENDER_PORT; }
    server {
        listen 127.0.0.1:$TEST_NGINX_RENDER_PORT;
        faas_render on;
        location ~ ^/(?<fn>\w+)$ { faas_pass $fn; }
        location = /_api/user { default_type application/json;
                                return 200 '{"name":"ann"}'; }
    }
--- config
    location /r/ { faas_admit budget=2s; proxy_pass http://render/; }
--- user_files
>>> fn/page.js
module.exports = function () {
    return new Promise(function (resolve) { setTimeout(resolve, 50); })
        .then(function () { return fetch('/_api/user'); })
        .then(function (r) { return r.json(); })
        .then(function (u) { return 'hello ' + u.name; });
};
--- request
GET /r/page
--- response_body chomp
hello ann
--- no_error_log
[error]
[alert]



=== TEST 13: faas_fetch_map needs a URL prefix and a location path
--- http_config
    faas_fetch_map api.example.com /_api/;
--- config
--- must_die
--- error_log
invalid URL prefix "api.example.com" in "faas_fetch_map" directive, it must be scheme://host...



=== TEST 14: faas_fetch_map maps to a path of this server only
--- http_config
    faas_fetch_map https://api.example.com/ http://other/;
--- config
--- must_die
--- error_log
invalid URI prefix "http://other/" in "faas_fetch_map" directive, it must start with "/"



=== TEST 15: past its share of JavaScript in a turn of the loop, the rest waits for later turns, a turn's share at a time
The function spins 1-2 ms (over the 250 us a turn spends), then fetches
six calls of inner, which spin 1-2 ms each: the calls are put off, and
so is the answer of each fetch. Each turn after runs one of them and
leaves the rest (and the answer of the fetch it served) to the next
turns. When every call put off ran in the next turn, a burst of calls
held the worker as long as they all took. They answer in order
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass spin; }
    location /inner { faas_pass inner; }
--- user_files
>>> fn/spin.js
module.exports = function () {
    var t = Date.now(), i, fs = [];
    while (Date.now() - t < 2) { /* spin */ }
    for (i = 1; i <= 6; i++) {
        fs.push(fetch('/inner?n=' + i));
    }
    return Promise.all(fs)
        .then(function (rs) {
            return Promise.all(rs.map(function (r) { return r.text(); }));
        })
        .then(function (ts) { return ts.join(','); });
};
>>> fn/inner.js
module.exports = function (ctx) {
    var t = Date.now();
    while (Date.now() - t < 2) { /* spin */ }
    return 'inner' + ctx.query.n;
};
--- request
GET /t
--- response_body chomp
inner1,inner2,inner3,inner4,inner5,inner6
--- error_log
faas: call of "inner" put off to the next turn
of JavaScript in this turn, the rest waits for the next
--- grep_error_log eval
qr/this turn ran 1 of the \d+ events put off/
--- grep_error_log_out
this turn ran 1 of the 6 events put off
this turn ran 1 of the 6 events put off
this turn ran 1 of the 6 events put off
this turn ran 1 of the 6 events put off
this turn ran 1 of the 6 events put off
this turn ran 1 of the 6 events put off
--- no_error_log
[error]
[alert]



=== TEST 16: a fetch's answer put off to a later turn is taken out when its call ends first
Two answers come back after the function spun 2 ms (past the 250 us a
turn spends): both are put off. The first one's reaction rejects the
function's promise, which ends the call (500); the second answer, still
waiting for its turn in the module's queue, is dropped with the call's
fetches and never delivered (under make test-sanitize, an event left in
the queue after its call is gone is a use after free)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass two; }
    location /a { return 200 a; }
    location /b { return 200 b; }
--- user_files
>>> fn/two.js
module.exports = function () {
    var t = Date.now();
    while (Date.now() - t < 3) { /* spin */ }
    return new Promise(function (resolve, reject) {
        fetch('/a').then(function () { reject(new Error('first answer')); });
        fetch('/b').then(function () { console.error('second answer ran'); });
    });
};
--- request
GET /t
--- wait: 0.1
--- error_code: 500
--- grep_error_log eval
qr/this turn ran \d+ of the 2 events put off/
--- grep_error_log_out
this turn ran 1 of the 2 events put off
--- error_log
first answer
--- no_error_log
second answer ran
[alert]
