# vi:filetype=perl

# faas_shared zones: shared.NAME.get/set/add/incr/delete/keys/clear, values
# stored as BSON and read back equal, ttl, least-recently-used eviction
# counted in faas_status, clear errors. Several workers and reloads: t/061.

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: set in one request, get in the next; missing keys are undefined
--- http_config
    faas_shared cache 1m;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location ~ ^/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/put.js
module.exports = function (ctx) {
    return shared.cache.set(ctx.query.k, { v: ctx.query.v });
};
>>> fn/get.js
module.exports = function (ctx) {
    var v = shared.cache.get(ctx.query.k);
    return v === undefined ? 'undefined' : v;
};
--- request eval
["GET /put?k=a&v=1", "GET /get?k=a", "GET /get?k=b"]
--- response_body eval
["true", '{"v":"1"}', "undefined"]
--- no_error_log
[error]
[alert]



=== TEST 2: structured values come back equal: Date, nesting, unicode, -0, NaN, bytes
--- http_config
    faas_shared s 1m;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () {
    var d = new Date(Date.UTC(2026, 11, 2, 12, 30, 15, 123));
    var v = {
        date: d, n: 1.5, big: 4294967296123, neg: -7, z: -0, nan: NaN,
        inf: -Infinity, t: true, f: false, nil: null,
        s: 'h\u00e9llo \u4e16\u754c \ud83d\ude00', lone: '\ud800x',
        nested: { a: [1, [2, { b: 'c' }], null], e: {} },
        bytes: new Uint8Array([0, 1, 255]),
        skip: undefined, fn: function () {}, arr: [undefined, function () {}]
    };
    shared.s.set('k', v);
    var r = shared.s.get('k');
    var out = [];
    out.push(r.date instanceof Date, r.date.getTime() === d.getTime());
    out.push(r.n === 1.5, r.big === 4294967296123, r.neg === -7);
    out.push(r.z === 0 && 1 / r.z === -Infinity, r.nan !== r.nan);
    out.push(r.inf === -Infinity, r.t === true, r.f === false);
    out.push(r.nil === null, r.s === v.s, r.s.length === v.s.length);
    out.push(r.lone === v.lone);
    out.push(JSON.stringify(r.nested) === JSON.stringify(v.nested));
    out.push(r.bytes instanceof Uint8Array && r.bytes.length === 3
             && r.bytes[2] === 255);
    out.push(!('skip' in r) && !('fn' in r));
    out.push(JSON.stringify(r.arr) === '[null,null]');
    /* a copy: changing what came back changes nothing stored */
    r.nested.a.push(9);
    out.push(shared.s.get('k').nested.a.length === 3);
    /* top-level scalars */
    shared.s.set('str', 'x'); shared.s.set('num', -0); shared.s.set('b', false);
    shared.s.set('nul', null); shared.s.set('arr', [1, 'two']);
    out.push(shared.s.get('str') === 'x', 1 / shared.s.get('num') === -Infinity,
             shared.s.get('b') === false, shared.s.get('nul') === null,
             JSON.stringify(shared.s.get('arr')) === '[1,"two"]');
    return out.join(',');
};
--- request
GET /t
--- response_body chomp
true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true,true
--- no_error_log
[error]
[alert]



=== TEST 3: add only when absent, incr, delete, keys, clear
--- http_config
    faas_shared s 1m;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () {
    var s = shared.s, out = [];
    s.clear();
    out.push(s.add('a', 1), s.add('a', 2), s.get('a'));
    out.push(s.incr('a'), s.incr('a', 10), s.incr('a', -0.5));
    out.push(s.incr('new', 5), s.incr('new'));
    s.set('o', { x: 1 });
    out.push(s.keys().sort().join('|'));
    out.push(s.keys(1).length);
    out.push(s.delete('o'), s.delete('o'), s.get('o'));
    s.clear();
    out.push(s.keys().length);
    return out.join(',');
};
--- request
GET /t
--- response_body chomp
true,false,1,2,12,11.5,5,6,a|new|o,1,true,false,,0
--- no_error_log
[error]
[alert]



=== TEST 4: ttl: an item is gone once its ttl has passed; incr keeps the ttl of its key
--- http_config
    faas_shared s 1m;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () {
    var s = shared.s, out = [], end;
    s.clear();
    s.set('short', 'x', { ttl: 0.2 });
    s.set('long', 'y', { ttl: 60 });
    s.set('never', 'z');
    s.incr('hits', 1, { ttl: 0.2 });
    out.push(s.get('short'), s.incr('hits'));
    /* 300 ms pass */
    end = Date.now() + 300;
    while (Date.now() < end) {}
    out.push(String(s.get('short')), s.get('long'), s.get('never'),
             String(s.get('hits')), s.keys().sort().join('|'));
    /* incr on an expired key starts again from 0 */
    out.push(s.incr('hits'));
    return out.join(',');
};
--- request
GET /t
--- response_body chomp
x,2,undefined,y,z,undefined,long|never,1
--- no_error_log
[error]
[alert]



=== TEST 5: a full zone evicts the least recently used items, counted in faas_status
--- http_config
    faas_shared small 64k;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
    location /status { faas_status; }
--- user_files
>>> fn/t.js
module.exports = function () {
    var s = shared.small, i, big = new Array(1001).join('x');
    s.set('keep', 'k');
    for (i = 0; i < 200; i++) {
        s.set('item' + i, big);
        s.get('keep');          /* used: never the least recently used */
    }
    return [s.get('keep'), s.get('item0') === undefined,
            s.get('item199') === big].join(',');
};
--- request eval
["GET /t", "GET /status", "GET /status?format=prometheus"]
--- response_body_like eval
["^k,true,true\$",
 '"shared":\{"small":\{"evictions":[1-9]\d*,"expired":0,"items":[1-9]\d*,"size":65536\}\}',
 'faas_shared_evictions_total\{zone="small"\} [1-9]\d*\n']
--- no_error_log
[error]
[alert]



=== TEST 6: errors are clear exceptions; an unknown zone is undefined
--- http_config
    faas_shared s 64k;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
function err(f) {
    try { f(); return 'no error'; } catch (e) { return e.name + ': ' + e.message; }
}
module.exports = function () {
    var s = shared.s;
    s.set('str', 'x');
    return [
        typeof shared.nope,
        err(function () { s.set('big', new Array(40000).join('x')); }),
        err(function () { s.incr('str'); }),
        err(function () { s.incr('n', 'one'); }),
        err(function () { s.set('', 1); }),
        err(function () { s.get({}); }),
        err(function () { s.set('u', undefined); }),
        err(function () { s.set('f', function () {}); }),
        err(function () { s.set('t', 1, { ttl: -1 }); }),
        err(function () { s.set('t', 1, 5); }),
        err(function () { var o = {}; o.o = o; s.set('cycle', o); }),
        err(function () { var o = {}; o['a\u0000b'] = 1; s.set('nul', o); }),
        err(function () { s.get.call({}, 'x'); }),
        err(function () { s.set('d', new Date(NaN)); }),
        s.get('str')
    ].join('\n');
};
--- request
GET /t
--- response_body chomp
undefined
RangeError: shared.s: a value of 40012 bytes is larger than half the zone
TypeError: shared.s.incr(): the value of "str" is not a number
TypeError: shared.s.incr(): the increment must be a number
TypeError: shared.s: a key must have 1 to 65535 bytes
TypeError: shared.s: a key must be a string
TypeError: a shared value cannot be undefined
TypeError: a shared value cannot be a function
RangeError: ttl must be a number of seconds, 0 to 31536000
TypeError: the options must be an object, such as {ttl: 60}
RangeError: a shared value nested too deeply (or a cycle)
TypeError: a shared value cannot hold "a" (a key with a NUL character, or too large)
TypeError: not a shared zone: call it as shared.NAME.method()
RangeError: an invalid Date cannot be shared
x
--- no_error_log
[error]
[alert]



=== TEST 7: an uncaught error of a zone fails the call with a log line naming the function
--- http_config
    faas_shared s 64k;
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () { shared.s.set('x', 'y'); return shared.s.incr('x'); };
--- request
GET /t
--- error_code: 500
--- response_body_like: function failed
--- error_log
faas: function "t" failed: TypeError: shared.s.incr(): the value of "x" is not a number



=== TEST 8: faas_shared: bad name
--- http_config
    faas_shared 1cache 1m;
--- config
--- must_die
--- error_log
invalid zone name "1cache" in "faas_shared" directive, it must be a JavaScript identifier of up to 64 characters



=== TEST 9: faas_shared: too small
--- http_config
    faas_shared cache 4k;
--- config
--- must_die
--- error_log
invalid value "4k" in "faas_shared" directive, it must be a size of at least 32k



=== TEST 10: faas_shared: declared twice
--- http_config
    faas_shared cache 1m;
    faas_shared cache 1m;
--- config
--- must_die
--- error_log
duplicate zone "cache"



=== TEST 11: faas_shared: only at http level
--- http_config
--- config
    faas_shared cache 1m;
--- must_die
--- error_log
"faas_shared" directive is not allowed here



=== TEST 12: zones are seen by every app
--- http_config
    faas_shared s 64k;
--- config
    location /a { faas_functions $TEST_NGINX_SERVER_ROOT/html/a; faas_pass f; }
    location /b { faas_functions $TEST_NGINX_SERVER_ROOT/html/b; faas_pass f; }
--- user_files
>>> a/f.js
module.exports = function () { shared.s.set('from', 'a'); return Object.keys(shared).join(','); };
>>> b/f.js
module.exports = function () { return shared.s.get('from'); };
--- request eval
["GET /a", "GET /b"]
--- response_body eval
["s", "a"]
--- no_error_log
[error]
[alert]
