# vi:filetype=perl

# Duktape's engine as patched for speed at build time (patches/0005 to
# 0009): each block runs what a patch changes and checks the answers are
# the ones the unpatched engine gives, which are V8's (Node's) too except
# where Duktape's own properties of functions differ from V8's (TEST 2).

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: the regexp executor reads ASCII, Latin-1, CJK and astral input alike (patches/0005)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /re { faas_pass re; }
--- user_files
>>> fn/re.js
module.exports = function () {
    var s = 'caf\u00e9 <b>Zo\u00eb</b> \u65e5\u672c & "x" \ud83d\ude00 END';
    var m = /Z(o.)<\/b> (.)/.exec(s);

    return [
        s.replace(/[&<>"'`=\/]/g, function (c) {
            return '&#' + c.charCodeAt(0) + ';';
        }),
        m[1], m[2], m.index,
        /\u672c (.)/.exec(s)[1],
        /end$/i.test(s), /CAF\u00c9/i.test(s), /caf./.exec(s)[0],
        s.search(/\ud83d\ude00/), s.split(/\s+/).length,
        /^.{4} </.test(s), /(\w+)\W+(\w+)$/.exec(s)[1],
        'a\u00e9b\u00e9c'.replace(/\u00e9/g, '-'), 'aXbxc'.split(/x/i)
    ];
};
--- request
GET /re
--- response_body chomp
["café &#60;b&#62;Zoë&#60;&#47;b&#62; 日本 &#38; &#34;x&#34; 😀 END","oë","日",8,"&",true,true,"café",25,7,true,"x","a-b-c",["a","b","c"]]
--- no_error_log
[error]
[alert]



=== TEST 2: closures keep their own properties, length, name and prototype (patches/0006)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /clo { faas_pass clo; }
--- user_files
>>> fn/clo.js
function sloppy(a, b) { return a + b; }

module.exports = function () {
    'use strict';
    var fns = [], out = [], i, f, F, o;

    for (i = 0; i < 3; i++) {
        fns.push(function named(x) { return x + i; });
        fns.push(function (x, y, z) { return x; });
    }
    fns.push(sloppy, Math.max, sloppy.bind(null, 1));

    for (i = 0; i < fns.length; i++) {
        f = fns[i];
        out.push([Object.getOwnPropertyNames(f).sort().join(','), f.length,
                  f.name, typeof f.prototype,
                  f.prototype ? f.prototype.constructor === f : null,
                  f.prototype ? Object.getOwnPropertyNames(f.prototype).join(',') : null]);
    }

    F = function Point(x) { this.x = x; };
    F.prototype.norm = function () { return Math.abs(this.x); };
    F.extra = 1;
    o = new F(-3);
    out.push([o.norm(), o instanceof F, Object.keys(F).join(','),
              Object.getOwnPropertyNames(F).sort().join(','),
              Object.isExtensible(F), Object.isFrozen(Object.freeze(function () {}))]);

    for (i = 0; i < 20000; i++) {
        f = function (v) { return v; };
        f.prototype.k = i;
    }
    out.push(f.prototype.k, f(5));
    return out;
};
--- request
GET /clo
--- response_body chomp
[["arguments,caller,fileName,length,name,prototype",1,"named","object",true,"constructor"],["arguments,caller,fileName,length,prototype",3,"","object",true,"constructor"],["arguments,caller,fileName,length,name,prototype",1,"named","object",true,"constructor"],["arguments,caller,fileName,length,prototype",3,"","object",true,"constructor"],["arguments,caller,fileName,length,name,prototype",1,"named","object",true,"constructor"],["arguments,caller,fileName,length,prototype",3,"","object",true,"constructor"],["fileName,length,name,prototype",2,"sloppy","object",true,"constructor"],["length,name",2,"max","undefined",null,null],["arguments,caller,fileName,length,name",1,"bound sloppy","undefined",null,null],[3,true,"extra","arguments,caller,extra,fileName,length,name,prototype",true,true],19999,5]
--- no_error_log
[error]
[alert]



=== TEST 3: a page built by += over ASCII and non-ASCII text (patches/0007)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /cat { faas_pass cat; }
--- user_files
>>> fn/cat.js
module.exports = function () {
    var out = '', s2 = '', i, a, b, o = {}, u = '', parts = [];
    for (i = 0; i < 3000; i++) {
        out += '<li class="x">' + i + '</li>\n';
    }
    // an equal string interned elsewhere: the result must be that one
    a = new Array(101).join('a');       // 100 a
    b = a.slice(0, 90);
    b += 'aaaaaaaaaa';
    o[a] = 1;
    // a copy taken before appending keeps its value
    s2 = out;
    s2 += 'tail';
    // non-ASCII appended, length and indexing
    for (i = 0; i < 100; i++) {
        u += 'caf\u00e9 \u65e5 ';
    }
    u += '\ud83d\ude00';
    for (i = 0; i < 200; i++) {
        parts.push(String.fromCharCode(65 + i % 26));
    }
    var j = parts.join('');
    var k = ''; for (i = 0; i < 200; i++) { k += parts[i]; }
    return [out.length, out.slice(-20), s2.length, out.length + 4 === s2.length,
            b === a, o[b], u.length, u.charCodeAt(u.length - 1), u.indexOf('\u65e5', 400),
            j === k, k.length, (k + '!').length, k.charAt(150)];
};
--- request
GET /cat
--- response_body chomp
[70890,"class=\"x\">2999</li>\n",70894,true,true,1,702,56832,404,true,200,201,"U"]
--- no_error_log
[error]
[alert]



=== TEST 4: += in place keeps the values of copies, keys, aliases and side effects (patches/0007)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /app { faas_pass app; }
--- user_files
>>> fn/app.js
var pad = new Array(81).join('.');

function grow(n) {
    var s = pad, i;

    for (i = 0; i < n; i++) {
        s += '<li>' + i + '</li>';
    }
    return s;
}

module.exports = function () {
    var s = pad, t, a, o = {}, k, big, i, r = [], n = 0;

    // the right-hand side changes the variable: the old value is appended to
    s += (s = 'X', 'Y');
    r.push(s === pad + 'Y');

    // a closure appends to the same variable while the right side runs
    t = pad;
    function f() {
        t += 'a';
        return 'b';
    }
    t += f();
    r.push(t === pad + 'b');

    // a copy taken before appending keeps its value; a key stays a key
    s = grow(10);
    a = s;
    o[s] = 1;
    s += 'x';
    r.push(a === grow(10), o[a], o[s], s.length === a.length + 1);

    // appending builds a string equal to one already interned
    k = grow(50);
    s = grow(49);
    s += '<li>49</li>';
    o[k] = 2;
    r.push(s === k, o[s]);

    // past 64 KB, and the result still hashes and compares by content
    big = grow(8000);
    o[big] = 3;
    r.push(big.length, o[grow(8000)], big.slice(-12));

    // numbers through += with a call on the right
    for (i = 0; i < 10; i++) {
        n += (function (v) { return v * 2; })(i);
    }
    r.push(n);

    // non-ASCII appended: lengths and indexes in UTF-16 units
    s = pad;
    for (i = 0; i < 50; i++) {
        s += 'caf\u00e9 ' + String.fromCharCode(0x65e5 + i % 3);
    }
    s += '\ud83d\ude00';
    r.push(s.length, s.charCodeAt(s.length - 2), s.lastIndexOf('\u65e6'), s.charAt(84));
    return r;
};
--- request
GET /app
--- response_body chomp
[true,true,true,1,null,true,true,2,102970,3,"li>7999</li>",90,382,55357,379," "]
--- no_error_log
[error]
[alert]



=== TEST 5: .prototype made when first needed keeps the semantics of an eager one (patches/0008)
the answer is the one Node gives for the same code
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /lazy { faas_pass lazy; }
--- user_files
>>> fn/lazy.js
module.exports = function () {
    var out = [];
    function desc(f) {
        var d = Object.getOwnPropertyDescriptor(f, 'prototype');
        return d ? [d.writable, d.enumerable, d.configurable, typeof d.value] : null;
    }
    function sloppy(a) { this.a = a; }
    var strict = function (b) { 'use strict'; this.b = b; };
    function outer() { return function inner() { return 1; }; }

    /* keys before any look-up: prototype among them, not enumerable */
    out.push(Object.getOwnPropertyNames(sloppy).indexOf('prototype') >= 0);
    out.push(Object.keys(sloppy).length, desc(strict));
    var keys = []; for (var k in sloppy) { keys.push(k); }
    out.push(keys.length, 'prototype' in outer(), outer().hasOwnProperty('prototype'));

    /* identity and constructor, new and instanceof */
    var p = sloppy.prototype;
    out.push(p === sloppy.prototype, p.constructor === sloppy,
             Object.getPrototypeOf(p) === Object.prototype);
    var o = new sloppy(3);
    out.push(o.a, o instanceof sloppy, Object.getPrototypeOf(o) === p,
             new strict(4) instanceof strict, ({}) instanceof outer());

    /* assigned before any look-up: the new one, with the old attributes */
    var f = function () {};
    f.prototype = { x: 1 };
    out.push(new f().x, desc(f));

    /* not deletable, not redefinable as configurable */
    var g = function () {};
    out.push(delete g.prototype, typeof g.prototype);
    try { Object.defineProperty(g, 'prototype', { configurable: true }); out.push('redefined'); }
    catch (e) { out.push(e.name); }

    /* frozen with the rest, sealed-frozen checks see it */
    var h = function () {};
    Object.preventExtensions(h);
    out.push(Object.isSealed(h), Object.isFrozen(h));
    Object.freeze(h);
    out.push(Object.isFrozen(h), desc(h));

    /* a function as a prototype: the chain lists nothing enumerable */
    var child = Object.create(function () {});
    var ck = []; for (var k2 in child) { ck.push(k2); }
    out.push(ck.length, typeof child.prototype);

    /* 20,000 closures, one looked up now and then */
    var n = 0;
    for (var i = 0; i < 20000; i++) {
        var c = (function (j) { return function () { return j; }; })(i);
        if (i % 1000 === 0) { n += c.prototype.constructor === c ? 1 : 0; }
    }
    out.push(n, typeof Function('return 1').prototype,
             typeof Math.max.prototype, typeof sloppy.bind(null).prototype);
    return out;
};
--- request
GET /lazy
--- response_body chomp
[true,0,[true,false,false,"object"],0,true,true,true,true,true,3,true,true,true,false,1,[true,false,false,"object"],false,"object","TypeError",false,false,true,[false,false,false,"object"],0,"object",20,"object","undefined","undefined"]
--- no_error_log
[error]
[alert]



=== TEST 6: a closure is in no reference cycle until its .prototype is looked up (patches/0008)
Duktape.info() gives the reference count: the prototype's constructor
adds one, when the prototype is made (the argument of Duktape.info() is
one more). With .prototype made eagerly it
was there from the start (the difference was 0): every closure was a
cycle that only mark-and-sweep freed
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /refc { faas_pass refc; }
--- user_files
>>> fn/refc.js
module.exports = function () {
    var f = function () {}, before, after, cb = [];
    before = Duktape.info(f).refc;
    f.prototype.x = 1;
    after = Duktape.info(f).refc;
    [1, 2, 3].forEach(function (v) { cb.push(function () { return v; }); });
    return [after - before, Duktape.info(cb[0]).refc,
            cb[0].prototype.constructor === cb[0], Duktape.info(cb[0]).refc];
};
--- request
GET /refc
--- response_body chomp
[1,2,true,3]
--- no_error_log
[error]
[alert]



=== TEST 7: promise internals reach no getter or setter on the indices of Array.prototype or Object.prototype (patches/0009)
The records, reactions and jobs of the promise runtime are arrays with no
prototype, made by duk_pack_bare(): a pending promise with three
reactions appends past the first slot, the combinators make element
records, a thenable is adopted. Node gives the same log and no hit
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /traps { faas_pass traps; }
--- user_files
>>> fn/traps.js
module.exports = function () {
    var hits = '', i, log = '';
    function trap(proto, name, k) {
        Object.defineProperty(proto, k, {
            configurable: true,
            get: function () { hits += name + ' get ' + k + ';'; return undefined; },
            set: function (v) { hits += name + ' set ' + k + ';'; }
        });
    }
    for (i = 0; i < 12; i++) { trap(Array.prototype, 'Array', i); trap(Object.prototype, 'Object', i); }
    try {
        var resolveLater, later = new Promise(function (r) { resolveLater = r; });
        later.then(function (v) { log += ['1st ' + v].join(' ') + ';'; });
        later.then(function (v) { log += ['2nd ' + v].join(' ') + ';'; });
        later.then(function (v) { log += ['3rd ' + v].join(' ') + ';'; });
        var thenable = { then: function (f) { f('th'); } };
        var all = Promise.all([later, 'v', thenable, Promise.resolve('r')]);
        var settled = Promise.allSettled([Promise.reject('no'), later]);
        var any = Promise.any([Promise.reject('x'), later]);
        var race = Promise.race([later, new Promise(function () {})]);
        resolveLater('L');
        return Promise.all([all, settled, any, race]).then(function (r) {
            var s = r[1];
            log += [r[0].join('+'), s[0].status + ':' + s[0].reason, s[1].status + ':' + s[1].value,
                     r[2], r[3]].join(' ') + ';';
            return Promise.reject(new Error('E')).catch(function (e) { log += [e.message].join(' ') + ';'; })
                .finally(function () { log += ['finally'].join(' ') + ';'; });
        }).then(function () {
            for (i = 0; i < 12; i++) { delete Array.prototype[i]; delete Object.prototype[i]; }
            return { log: log, hits: hits };
        });
    } catch (e) {
        for (i = 0; i < 12; i++) { delete Array.prototype[i]; delete Object.prototype[i]; }
        throw e;
    }
};
--- request
GET /traps
--- response_body chomp
{"log":"1st L;2nd L;3rd L;L+v+th+r rejected:no fulfilled:L L L;E;finally;","hits":""}
--- no_error_log
[error]
[alert]
