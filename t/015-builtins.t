# vi:filetype=perl

# The ES2015-2019 library functions Duktape lacks, URL, URLSearchParams,
# atob/btoa and crypto, added in C (src/ngx_faas_builtins.c, _web.c,
# _url.c); the expected answers are Node's (V8) to the same code, so each
# block is the spec's steps and edge cases as an engine that follows them
# answers: negative and fractional indices, NaN, holes, ToObject on null,
# iterator closing, attributes, "length" and "name".

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: Array.from/of, find, findIndex, includes, fill, flat, flatMap; Object.entries/values/fromEntries; padStart/padEnd, trimStart/trimEnd; Duktape's own String and Number functions; atob, btoa, crypto; URL; URLSearchParams (Node's answers, but randomUUID.length is the Web Crypto spec's 0, not Node's 1)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
function attempt(f) { try { return f(); } catch (e) { return 'throws ' + e.name; } }
function desc(o, k) { var d; while (o && !(d = Object.getOwnPropertyDescriptor(o, k))) o = Object.getPrototypeOf(o); return [typeof d.value, d.writable, d.enumerable, d.configurable, d.value.length, d.value.name].join(","); }
var out = {};
out.attrs = [[Array,'from'],[Array,'of'],[Array.prototype,'find'],[Array.prototype,'findIndex'],[Array.prototype,'includes'],[Array.prototype,'fill'],[Array.prototype,'flat'],[Array.prototype,'flatMap'],[Object,'entries'],[Object,'values'],[Object,'fromEntries'],[String.prototype,'padStart'],[String.prototype,'padEnd'],[String.prototype,'trimStart'],[String.prototype,'trimEnd'],[String.prototype,'includes'],[String.prototype,'startsWith'],[String.prototype,'endsWith'],[String.prototype,'repeat'],[Number,'isInteger'],[Number,'isFinite'],[Number,'isNaN'],[Number,'isSafeInteger'],[Math,'sign'],[Math,'trunc'],[Object,'assign']].map(function (p) { return desc(p[0], p[1]); });
out.webFns = [atob.length, atob.name, btoa.length, btoa.name, crypto.getRandomValues.length, crypto.getRandomValues.name, crypto.randomUUID.length, crypto.randomUUID.name];
out.trimAlias = String.prototype.trimLeft === String.prototype.trimStart && String.prototype.trimRight === String.prototype.trimEnd;
out.from = [Array.from({length: 3, 0: 'a', 2: 'c'}), Array.from('abc'), Array.from([1, , 3]), Array.from({length: 2}, function (v, i) { return i * 2 + (this.k || 0); }, {k: 10}), attempt(function () { return Array.from(null); }), attempt(function () { return Array.from([1], 5); }), Array.from({length: -1}), Array.from({length: 2.7, 0: 'x', 1: 'y'}), Array.from(5)];
function C(n) { this.n = n; }
var c = Array.from.call(C, {length: 2, 0: 'a', 1: 'b'}); out.fromC = [c instanceof C, c.n, c.length, c[1]];
var c2 = Array.of.call(C, 7, 8); out.ofC = [c2 instanceof C, c2.n, c2.length, c2[0]];
var it = {}; it[Symbol.iterator] = function () { var i = 0; return { next: function () { i++; return { done: i > 3, value: i * i }; }, 'return': function () { out.closed = (out.closed || 0) + 1; return {}; } }; };
out.fromIter = [Array.from(it), Array.from(it, function (v, i) { return v + ':' + i; })];
out.fromIterClose = attempt(function () { return Array.from(it, function () { throw new TypeError('x'); }); });
out.of = [Array.of(), Array.of(7), Array.of(1, 2, 3), Array.of(undefined).length];
var arr = [5, 12, 8, 130, 44, NaN, , -0];
out.find = [arr.find(function (x) { return x > 10; }), arr.findIndex(function (x) { return x > 10; }), arr.find(function (x) { return x > 1000; }), arr.findIndex(function (x) { return x !== x; }), arr.findIndex(function (x, i) { return i === 6; }), attempt(function () { return arr.find(); }), attempt(function () { return Array.prototype.find.call(null, function () {}); }), Array.prototype.find.call({length: 2, 0: 'a', 1: 'b'}, function (v) { return v === 'b'; }), Array.prototype.findIndex.call('xyz', function (v) { return v === 'z'; })];
var seen = []; [1, , 3].find(function (v, i, o) { seen.push(i + '=' + v + ':' + (o.length)); }); out.findHoles = seen;
out.includes = [[1, 2, 3].includes(2), [1, 2, 3].includes(4), [1, 2, NaN].includes(NaN), [1, 2, 3].indexOf(NaN), [-0].includes(0), [0].includes(-0), [1, 2, 3].includes(3, 3), [1, 2, 3].includes(3, -1), [1, 2, 3].includes(1, -100), [1, 2, 3].includes(1, 1.5), [1, 2, 3].includes(2, 1.5), [1, , 3].includes(undefined), Array.prototype.includes.call({length: 1, 0: 'x'}, 'x'), Array.prototype.includes.call('abc', 'b'), [1].includes(1, Infinity), [1].includes(1, -Infinity), [1].includes(1, NaN), [].includes(undefined), attempt(function () { return Array.prototype.includes.call(undefined, 1); })];
out.fill = [[1, 2, 3].fill(4), [1, 2, 3].fill(4, 1), [1, 2, 3].fill(4, 1, 2), [1, 2, 3].fill(4, 1, 1), [1, 2, 3].fill(4, -3, -2), [1, 2, 3].fill(4, NaN, NaN), [1, 2, 3].fill(4, 3, 5), Array(3).fill(), Array.prototype.fill.call({length: 3}, 4), [1, 2, 3].fill(4, 1.5, 2.9), attempt(function () { return Object.freeze([1]).fill(2); })];
out.flat = [[1, [2, [3, [4]]]].flat(), [1, [2, [3, [4]]]].flat(2), [1, [2, [3, [4]]]].flat(Infinity), [1, , 3, [4, , 6]].flat(), [1, [2]].flat(0), [1, [2]].flat(-1), [1, [2]].flat('1'), [[]].flat(), [1, [2, [3]]].flat(1.9)];
out.flatMap = [[1, 2, 3].flatMap(function (x) { return [x, x * 2]; }), [1, 2].flatMap(function (x) { return [[x]]; }), ['a b', 'c'].flatMap(function (s) { return s.split(' '); }), [1, 2].flatMap(function (x, i, a) { return this.m * x + i + a.length; }, {m: 10}), attempt(function () { return [1].flatMap(); }), [1].flatMap(function (x) { return {length: 1, 0: 'al'}; })];
var o = {b: 1, a: 2, 1: 'one', 0: 'zero'}; Object.defineProperty(o, 'hidden', {value: 3, enumerable: false}); o[Symbol('s')] = 4;
out.entries = [Object.entries(o), Object.values(o), Object.entries('ab'), Object.values([7, , 9]), Object.entries(5), attempt(function () { return Object.entries(null); }), attempt(function () { return Object.values(undefined); })];
var p = Object.create({inherited: 1}); p.own = 2; out.entriesProto = Object.entries(p);
out.fromEntries = [Object.fromEntries([['a', 1], ['b', 2], ['a', 3]]), Object.fromEntries([[1, 'x'], [{toString: function () { return 'k'; }}, 'y']]), attempt(function () { return Object.fromEntries(null); }), attempt(function () { return Object.fromEntries([1]); }), attempt(function () { return Object.fromEntries({}); }), Object.fromEntries([]), Object.getOwnPropertyNames(Object.fromEntries([['__proto__', 5]])), Object.fromEntries(Object.entries({x: 1, y: [2]}))];
var fe = {}; fe[Symbol.iterator] = function () { var i = 0; return { next: function () { i++; return i > 2 ? {done: true} : {done: false, value: ['k' + i, i]}; } }; };
out.fromEntriesIter = Object.fromEntries(fe);
out.pad = ['abc'.padStart(10), 'abc'.padStart(10, 'foo'), 'abc'.padStart(6, '123465'), 'abc'.padStart(8, '0'), 'abc'.padStart(1), 'abc'.padEnd(10), 'abc'.padEnd(10, 'foo'), 'abc'.padEnd(6, '123456'), 'abc'.padEnd(1), 'abc'.padStart(5, ''), 'abc'.padStart(NaN, 'x'), 'abc'.padStart(5.9, 'x'), 'é'.padStart(3, 'ü'), '5'.padStart(3, 0), attempt(function () { return String.prototype.padStart.call(null, 3); }), String.prototype.padEnd.call(12, 4, 'x'), 'a'.padEnd(4, undefined), 'a'.padStart(-1, 'x'), attempt(function () { return 'a'.padStart(Infinity, 'x'); })];
out.trim = ['  a b  '.trimStart(), '  a b  '.trimEnd(), '\u00a0\ufeff\u2028\t\n x \u3000\u2029\r'.trimStart(), '\u00a0\ufeff\u2028\t\n x \u3000\u2029\r'.trimEnd(), '\u200b x'.trimStart(), ''.trimStart(), '   '.trimEnd(), 'é  '.trimEnd(), attempt(function () { return String.prototype.trimStart.call(undefined); }), String.prototype.trimEnd.call(42)];
out.str = ['abc'.includes('b'), 'abc'.includes('b', 2), 'abc'.includes(''), attempt(function () { return 'abc'.includes(/b/); }), 'abc'.startsWith('bc', 1), 'abc'.startsWith('a', -5), 'abc'.endsWith('ab', 2), 'abc'.endsWith('c', 99), attempt(function () { return 'a'.endsWith(/a/); }), 'ab'.repeat(3), 'ab'.repeat(0), 'x'.repeat(2.9), attempt(function () { return 'a'.repeat(-1); }), attempt(function () { return 'a'.repeat(Infinity); }), ''.repeat(5)];
out.num = [Number.isInteger(5), Number.isInteger(5.5), Number.isInteger('5'), Number.isInteger(Infinity), Number.isInteger(-0), Number.isFinite(1), Number.isFinite('1'), Number.isFinite(Infinity), Number.isNaN(NaN), Number.isNaN('NaN'), Number.isSafeInteger(Math.pow(2, 53) - 1), Number.isSafeInteger(Math.pow(2, 53)), Number.isSafeInteger(1.5), 1 / Math.sign(-0), Math.sign(-3), Math.sign('7'), Math.sign('x'), Math.trunc(4.7), Math.trunc(-4.7), 1 / Math.trunc(-0.2), Math.trunc('12.5'), Math.trunc(Infinity)];
out.b64 = [btoa(''), btoa('f'), btoa('fo'), btoa('foo'), btoa('\u00ff\u00fe\u0000'), attempt(function () { return btoa('\u0100'); }), atob('Zm9v'), atob(' Z m 9\nv '), atob('Zg'), atob('Zg=='), atob('Zm8='), atob('//79'), attempt(function () { return atob('Zg='); }), attempt(function () { return atob('Z'); }), attempt(function () { return atob('Zm9v!'); }), attempt(function () { return atob('Zm=9v'); }), atob(''), atob('YQ'), atob(btoa('\u00e9t\u00e9')) === '\u00e9t\u00e9', atob('ZZ=='), (function () { try { btoa('\u20ac'); } catch (e) { return [e.name, e.code, e instanceof Error]; } })()];
var u8 = new Uint8Array(32), same = crypto.getRandomValues(u8);
out.crypto = [same === u8, (function () { for (var i = 0; i < 32; i++) if (u8[i]) return true; return false; })(), crypto.getRandomValues(new Uint32Array(4)).length, crypto.getRandomValues(new Int16Array(0)).length, crypto.getRandomValues(new Uint8Array(65536)).length, (function () { try { crypto.getRandomValues(new Uint8Array(65537)); } catch (e) { return [e.name, e.code]; } })(), (function () { try { crypto.getRandomValues(new Float64Array(2)); } catch (e) { return e.name; } })(), (function () { try { crypto.getRandomValues([1, 2]); } catch (e) { return e.name; } })(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(crypto.randomUUID()), crypto.randomUUID() !== crypto.randomUUID(), crypto.randomUUID().length];
function U(s, b) { try { var u = b === undefined ? new URL(s) : new URL(s, b); return [u.href, u.protocol, u.username, u.password, u.host, u.hostname, u.port, u.pathname, u.search, u.hash, u.origin].join(' | '); } catch (e) { return 'throws ' + e.name; } }
out.url = [
 U('https://user:pa ss@Example.COM:443/a/./b/../c?q=1 2&x=\'#frag ment'),
 U('http://example.com:8080'), U('HTTP://EXAMPLE.com/%7Efoo/'), U('http://a/b/c/d;p?q', undefined),
 U('g', 'http://a/b/c/d;p?q'), U('./g', 'http://a/b/c/d;p?q'), U('g/', 'http://a/b/c/d;p?q'), U('/g', 'http://a/b/c/d;p?q'), U('//g', 'http://a/b/c/d;p?q'), U('?y', 'http://a/b/c/d;p?q'), U('g?y', 'http://a/b/c/d;p?q'), U('#s', 'http://a/b/c/d;p?q'), U('g#s', 'http://a/b/c/d;p?q'), U(';x', 'http://a/b/c/d;p?q'), U('', 'http://a/b/c/d;p?q'), U('.', 'http://a/b/c/d;p?q'), U('./', 'http://a/b/c/d;p?q'), U('..', 'http://a/b/c/d;p?q'), U('../', 'http://a/b/c/d;p?q'), U('../g', 'http://a/b/c/d;p?q'), U('../..', 'http://a/b/c/d;p?q'), U('../../g', 'http://a/b/c/d;p?q'), U('../../../g', 'http://a/b/c/d;p?q'), U('/./g', 'http://a/b/c/d;p?q'), U('/../g', 'http://a/b/c/d;p?q'), U('g.', 'http://a/b/c/d;p?q'), U('..g', 'http://a/b/c/d;p?q'), U('http:g', 'http://a/b/c/d;p?q'), U('https:g', 'http://a/b/c/d;p?q'),
 U('/%2e%2E/x', 'http://a/b/c'), U('http://a\\b\\c'), U('http:\\\\a\\b'), U('  http://a/ \t\n b  '),
 U('relative'), U('http://'), U('http://a:99999'), U('http://a:0080/'), U('http://a:/'), U('http://[::1]:80/'), U('http://[2001:DB8:0:0:0:0:0:1]/'), U('http://[1:0:0:2::3:0]/'), U('http://[::ffff:192.168.0.1]/'), U('http://[1:2/'), U('http://0x7f.1/'), U('http://127.0.0.1./'), U('http://2130706433/'), U('http://0300.0250.0.1/'), U('http://1.2.3.256/'), U('http://1.2.3.4.5/'), U('http://foo.0x/'), U('http://a b/'), U('http://a%20b/'), U('http://%41.com/'), U('http://exa<mple/'),
 U('file:///etc/passwd'), U('file://localhost/x'), U('file://host/share/x'), U('file:/x'), U('x', 'file:///a/b'),
 U('mailto:Joe@Example.com?subject=hi'), U('javascript:alert(1)'), U('data:text/plain,a b'), U('urn:isbn:0451450523'), U('foo://Host/a/../b?c#d'), U('foo:/a/./b'), U('foo://h:1/'), U('#x', 'mailto:a'), U('y', 'mailto:a'),
 U('ws://h/'), U('wss://h:443/'), U('ftp://h:21/x'), U('http://h/caf\u00e9?\u00fc#\u00e0'), U('http://h/\ud83d\ude00'), U('http://h/a"b<c>d`e{f}g|h'), U('http://h/?a"b<c>d`e{f}g|h\'i'), U('foo://h/?a\'b'), U('http://h/#a"b<c>d`e{f} g'), U('http://u@h/'), U('http://:p@h/'), U('http://@h/'), U('http://a@b@h/'), U('http://h?x'), U('http://h#x'), U('http://h/p?'), U('http://h/p#'),
 U('//x/y', 'https://b/c'), U('\\\\x\\y', 'https://b/c'), U('HtTpS://x'), U('sc://\u00df/')
];
var u = new URL('https://example.com/path?a=1&b=2&a=3#h');
var sp = u.searchParams;
out.params = [sp.get('a'), sp.getAll('a'), sp.get('zz'), sp.has('b'), sp.has('a', '3'), sp.has('a', '4'), sp.size, sp === u.searchParams];
sp.append('c', 'x y&z'); out.params.push(u.href, u.search);
sp.set('a', 'new'); out.params.push(u.href);
sp.delete('b'); out.params.push(u.href, sp.toString());
sp.sort(); out.params.push(u.href);
sp.delete('a'); sp.delete('c'); out.params.push(u.href, u.search);
u.search = '?q=%20x+y&r'; out.params.push(sp.get('q'), sp.get('r'), u.href);
u.hash = 'new hash'; out.params.push(u.href, u.hash);
u.hash = ''; out.params.push(u.href);
u.pathname = 'a b/c?d'; out.params.push(u.href, u.pathname);
u.href = 'http://other/x?k=v'; out.params.push(u.host, sp.get('k'), String(u), JSON.stringify({u: u}));
out.params.push((function () { try { u.href = 'nope'; } catch (e) { return e.name; } })(), u.href);
var ps = new URLSearchParams('?a=1&b=%zz&c=%C3%A9&d=%FF&+e+=+f+&&g');
var keys = [], vals = [], ents = [];
var ki = ps.keys(), r; while (!(r = ki.next()).done) keys.push(r.value);
var vi = ps.values(); while (!(r = vi.next()).done) vals.push(r.value);
var ei = ps[Symbol.iterator](); while (!(r = ei.next()).done) ents.push(r.value.join('='));
out.ps = [keys, vals, ents, ps.toString(), new URLSearchParams({x: 1, y: 'two'}).toString(), new URLSearchParams([['a', 'b'], ['c', 'd']]).toString(), new URLSearchParams(new URLSearchParams('q=1')).toString(), (function () { try { new URLSearchParams([['a']]); } catch (e) { return e.name; } })(), new URLSearchParams('a=b=c').get('a'), new URLSearchParams('').toString(), new URLSearchParams().size, new URLSearchParams('~*-._!\'()').toString(), new URLSearchParams({k: 'caf\u00e9 \ud83d\ude00 +/?'}).toString(), (function () { var s = new URLSearchParams('z=1&a=2&z=0&b=3&a=1'); s.sort(); return s.toString(); })()];
var fe2 = []; new URLSearchParams('a=1&b=2').forEach(function (v, k, o) { fe2.push(k + v + (o instanceof URLSearchParams)); }); out.ps.push(fe2);
out.urlMisc = [typeof URL, URL.length, URL.name, URLSearchParams.length, URL.prototype.toString.call(new URL('http://x')), (function () { try { URL('http://x'); } catch (e) { return e.name; } })(), Object.keys(new URL('http://x')).length, new URL(new URL('http://x/y'), 'http://z').href, new URL('/p', new URL('http://b/q')).href, Object.getOwnPropertyDescriptor(URL.prototype, 'href').enumerable];
var sections = [['attrs', 'from', 'fromC', 'ofC', 'fromIter', 'fromIterClose', 'closed', 'of', 'find', 'findHoles', 'includes', 'fill', 'flat', 'flatMap'], ['entries', 'entriesProto', 'fromEntries', 'fromEntriesIter', 'pad', 'trim', 'trimAlias', 'str', 'num'], ['webFns', 'b64', 'crypto'], ['url'], ['params', 'ps', 'urlMisc']];
function show(keys) { return keys.map(function (k) { return k + ' ' + JSON.stringify(out[k]).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029'); }).join('\n'); }
module.exports = function (ctx) { return show(sections[ctx.query.s]); };
--- request eval
["GET /t?s=0", "GET /t?s=1", "GET /t?s=2", "GET /t?s=3", "GET /t?s=4"]
--- response_body eval
['attrs ["function,true,false,true,1,from","function,true,false,true,0,of","function,true,false,true,1,find","function,true,false,true,1,findIndex","function,true,false,true,1,includes","function,true,false,true,1,fill","function,true,false,true,0,flat","function,true,false,true,1,flatMap","function,true,false,true,1,entries","function,true,false,true,1,values","function,true,false,true,1,fromEntries","function,true,false,true,1,padStart","function,true,false,true,1,padEnd","function,true,false,true,0,trimStart","function,true,false,true,0,trimEnd","function,true,false,true,1,includes","function,true,false,true,1,startsWith","function,true,false,true,1,endsWith","function,true,false,true,1,repeat","function,true,false,true,1,isInteger","function,true,false,true,1,isFinite","function,true,false,true,1,isNaN","function,true,false,true,1,isSafeInteger","function,true,false,true,1,sign","function,true,false,true,1,trunc","function,true,false,true,2,assign"]
from [["a",null,"c"],["a","b","c"],[1,null,3],[10,12],"throws TypeError","throws TypeError",[],["x","y"],[]]
fromC [true,2,2,"b"]
ofC [true,2,2,7]
fromIter [[1,4,9],["1:0","4:1","9:2"]]
fromIterClose "throws TypeError"
closed 1
of [[],[7],[1,2,3],1]
find [12,1,null,5,6,"throws TypeError","throws TypeError","b",2]
findHoles ["0=1:3","1=undefined:3","2=3:3"]
includes [true,false,true,-1,true,true,false,true,true,false,true,true,true,true,false,true,true,false,"throws TypeError"]
fill [[4,4,4],[1,4,4],[1,4,3],[1,2,3],[4,2,3],[1,2,3],[1,2,3],[null,null,null],{"0":4,"1":4,"2":4,"length":3},[1,4,3],"throws TypeError"]
flat [[1,2,[3,[4]]],[1,2,3,[4]],[1,2,3,4],[1,3,4,6],[1,[2]],[1,[2]],[1,2],[],[1,2,[3]]]
flatMap [[1,2,2,4,3,6],[[1],[2]],["a","b","c"],[12,23],"throws TypeError",[{"0":"al","length":1}]]',
 'entries [[["0","zero"],["1","one"],["b",1],["a",2]],["zero","one",1,2],[["0","a"],["1","b"]],[7,9],[],"throws TypeError","throws TypeError"]
entriesProto [["own",2]]
fromEntries [{"a":3,"b":2},{"1":"x","k":"y"},"throws TypeError","throws TypeError","throws TypeError",{},["__proto__"],{"x":1,"y":[2]}]
fromEntriesIter {"k1":1,"k2":2}
pad ["       abc","foofoofabc","123abc","00000abc","abc","abc       ","abcfoofoof","abc123","abc","abc","abc","xxabc","üüé","005","throws TypeError","12xx","a   ","a","throws RangeError"]
trim ["a b  ","  a b","x 　\\u2029\\r"," ﻿\\u2028\\t\\n x","​ x","","","é","throws TypeError","42"]
trimAlias true
str [true,false,true,"throws TypeError",true,true,true,true,"throws TypeError","ababab","","xx","throws RangeError","throws RangeError",""]
num [true,false,false,false,true,true,false,false,true,false,true,false,false,null,-1,1,null,4,-4,null,12,null]',
 'webFns [1,"atob",1,"btoa",1,"getRandomValues",0,"randomUUID"]
b64 ["","Zg==","Zm8=","Zm9v","//4A","throws InvalidCharacterError","foo","foo","f","f","fo","ÿþý","throws InvalidCharacterError","throws InvalidCharacterError","throws InvalidCharacterError","throws InvalidCharacterError","","a",true,"e",["InvalidCharacterError",5,true]]
crypto [true,true,4,0,65536,["QuotaExceededError",22],"TypeMismatchError","TypeMismatchError",true,true,36]',
 'url ["https://user:pa%20ss@example.com/a/c?q=1%202&x=%27#frag%20ment | https: | user | pa%20ss | example.com | example.com |  | /a/c | ?q=1%202&x=%27 | #frag%20ment | https://example.com","http://example.com:8080/ | http: |  |  | example.com:8080 | example.com | 8080 | / |  |  | http://example.com:8080","http://example.com/%7Efoo/ | http: |  |  | example.com | example.com |  | /%7Efoo/ |  |  | http://example.com","http://a/b/c/d;p?q | http: |  |  | a | a |  | /b/c/d;p | ?q |  | http://a","http://a/b/c/g | http: |  |  | a | a |  | /b/c/g |  |  | http://a","http://a/b/c/g | http: |  |  | a | a |  | /b/c/g |  |  | http://a","http://a/b/c/g/ | http: |  |  | a | a |  | /b/c/g/ |  |  | http://a","http://a/g | http: |  |  | a | a |  | /g |  |  | http://a","http://g/ | http: |  |  | g | g |  | / |  |  | http://g","http://a/b/c/d;p?y | http: |  |  | a | a |  | /b/c/d;p | ?y |  | http://a","http://a/b/c/g?y | http: |  |  | a | a |  | /b/c/g | ?y |  | http://a","http://a/b/c/d;p?q#s | http: |  |  | a | a |  | /b/c/d;p | ?q | #s | http://a","http://a/b/c/g#s | http: |  |  | a | a |  | /b/c/g |  | #s | http://a","http://a/b/c/;x | http: |  |  | a | a |  | /b/c/;x |  |  | http://a","http://a/b/c/d;p?q | http: |  |  | a | a |  | /b/c/d;p | ?q |  | http://a","http://a/b/c/ | http: |  |  | a | a |  | /b/c/ |  |  | http://a","http://a/b/c/ | http: |  |  | a | a |  | /b/c/ |  |  | http://a","http://a/b/ | http: |  |  | a | a |  | /b/ |  |  | http://a","http://a/b/ | http: |  |  | a | a |  | /b/ |  |  | http://a","http://a/b/g | http: |  |  | a | a |  | /b/g |  |  | http://a","http://a/ | http: |  |  | a | a |  | / |  |  | http://a","http://a/g | http: |  |  | a | a |  | /g |  |  | http://a","http://a/g | http: |  |  | a | a |  | /g |  |  | http://a","http://a/g | http: |  |  | a | a |  | /g |  |  | http://a","http://a/g | http: |  |  | a | a |  | /g |  |  | http://a","http://a/b/c/g. | http: |  |  | a | a |  | /b/c/g. |  |  | http://a","http://a/b/c/..g | http: |  |  | a | a |  | /b/c/..g |  |  | http://a","http://a/b/c/g | http: |  |  | a | a |  | /b/c/g |  |  | http://a","https://g/ | https: |  |  | g | g |  | / |  |  | https://g","http://a/x | http: |  |  | a | a |  | /x |  |  | http://a","http://a/b/c | http: |  |  | a | a |  | /b/c |  |  | http://a","http://a/b | http: |  |  | a | a |  | /b |  |  | http://a","http://a/%20%20b | http: |  |  | a | a |  | /%20%20b |  |  | http://a","throws TypeError","throws TypeError","throws TypeError","http://a/ | http: |  |  | a | a |  | / |  |  | http://a","http://a/ | http: |  |  | a | a |  | / |  |  | http://a","http://[::1]/ | http: |  |  | [::1] | [::1] |  | / |  |  | http://[::1]","http://[2001:db8::1]/ | http: |  |  | [2001:db8::1] | [2001:db8::1] |  | / |  |  | http://[2001:db8::1]","http://[1::2:0:0:3:0]/ | http: |  |  | [1::2:0:0:3:0] | [1::2:0:0:3:0] |  | / |  |  | http://[1::2:0:0:3:0]","http://[::ffff:c0a8:1]/ | http: |  |  | [::ffff:c0a8:1] | [::ffff:c0a8:1] |  | / |  |  | http://[::ffff:c0a8:1]","throws TypeError","http://127.0.0.1/ | http: |  |  | 127.0.0.1 | 127.0.0.1 |  | / |  |  | http://127.0.0.1","http://127.0.0.1/ | http: |  |  | 127.0.0.1 | 127.0.0.1 |  | / |  |  | http://127.0.0.1","http://127.0.0.1/ | http: |  |  | 127.0.0.1 | 127.0.0.1 |  | / |  |  | http://127.0.0.1","http://192.168.0.1/ | http: |  |  | 192.168.0.1 | 192.168.0.1 |  | / |  |  | http://192.168.0.1","throws TypeError","throws TypeError","throws TypeError","throws TypeError","throws TypeError","http://a.com/ | http: |  |  | a.com | a.com |  | / |  |  | http://a.com","throws TypeError","file:///etc/passwd | file: |  |  |  |  |  | /etc/passwd |  |  | null","file:///x | file: |  |  |  |  |  | /x |  |  | null","file://host/share/x | file: |  |  | host | host |  | /share/x |  |  | null","file:///x | file: |  |  |  |  |  | /x |  |  | null","file:///a/x | file: |  |  |  |  |  | /a/x |  |  | null","mailto:Joe@Example.com?subject=hi | mailto: |  |  |  |  |  | Joe@Example.com | ?subject=hi |  | null","javascript:alert(1) | javascript: |  |  |  |  |  | alert(1) |  |  | null","data:text/plain,a b | data: |  |  |  |  |  | text/plain,a b |  |  | null","urn:isbn:0451450523 | urn: |  |  |  |  |  | isbn:0451450523 |  |  | null","foo://Host/b?c#d | foo: |  |  | Host | Host |  | /b | ?c | #d | null","foo:/a/b | foo: |  |  |  |  |  | /a/b |  |  | null","foo://h:1/ | foo: |  |  | h:1 | h | 1 | / |  |  | null","mailto:a#x | mailto: |  |  |  |  |  | a |  | #x | null","throws TypeError","ws://h/ | ws: |  |  | h | h |  | / |  |  | ws://h","wss://h/ | wss: |  |  | h | h |  | / |  |  | wss://h","ftp://h/x | ftp: |  |  | h | h |  | /x |  |  | ftp://h","http://h/caf%C3%A9?%C3%BC#%C3%A0 | http: |  |  | h | h |  | /caf%C3%A9 | ?%C3%BC | #%C3%A0 | http://h","http://h/%F0%9F%98%80 | http: |  |  | h | h |  | /%F0%9F%98%80 |  |  | http://h","http://h/a%22b%3Cc%3Ed%60e%7Bf%7Dg|h | http: |  |  | h | h |  | /a%22b%3Cc%3Ed%60e%7Bf%7Dg|h |  |  | http://h","http://h/?a%22b%3Cc%3Ed`e{f}g|h%27i | http: |  |  | h | h |  | / | ?a%22b%3Cc%3Ed`e{f}g|h%27i |  | http://h","foo://h/?a\'b | foo: |  |  | h | h |  | / | ?a\'b |  | null","http://h/#a%22b%3Cc%3Ed%60e{f}%20g | http: |  |  | h | h |  | / |  | #a%22b%3Cc%3Ed%60e{f}%20g | http://h","http://u@h/ | http: | u |  | h | h |  | / |  |  | http://h","http://:p@h/ | http: |  | p | h | h |  | / |  |  | http://h","http://h/ | http: |  |  | h | h |  | / |  |  | http://h","http://a%40b@h/ | http: | a%40b |  | h | h |  | / |  |  | http://h","http://h/?x | http: |  |  | h | h |  | / | ?x |  | http://h","http://h/#x | http: |  |  | h | h |  | / |  | #x | http://h","http://h/p? | http: |  |  | h | h |  | /p |  |  | http://h","http://h/p# | http: |  |  | h | h |  | /p |  |  | http://h","https://x/y | https: |  |  | x | x |  | /y |  |  | https://x","https://x/y | https: |  |  | x | x |  | /y |  |  | https://x","https://x/ | https: |  |  | x | x |  | / |  |  | https://x","sc://%C3%9F/ | sc: |  |  | %C3%9F | %C3%9F |  | / |  |  | null"]',
 'params ["1",["1","3"],null,true,true,false,3,true,"https://example.com/path?a=1&b=2&a=3&c=x+y%26z#h","?a=1&b=2&a=3&c=x+y%26z","https://example.com/path?a=new&b=2&c=x+y%26z#h","https://example.com/path?a=new&c=x+y%26z#h","a=new&c=x+y%26z","https://example.com/path?a=new&c=x+y%26z#h","https://example.com/path#h",""," x y","","https://example.com/path?q=%20x+y&r#h","https://example.com/path?q=%20x+y&r#new%20hash","#new%20hash","https://example.com/path?q=%20x+y&r","https://example.com/a%20b/c%3Fd?q=%20x+y&r","/a%20b/c%3Fd","other","v","http://other/x?k=v","{\\"u\\":\\"http://other/x?k=v\\"}","TypeError","http://other/x?k=v"]
ps [["a","b","c","d"," e ","g"],["1","%zz","é","�"," f ",""],["a=1","b=%zz","c=é","d=�"," e = f ","g="],"a=1&b=%25zz&c=%C3%A9&d=%EF%BF%BD&+e+=+f+&g=","x=1&y=two","a=b&c=d","q=1","TypeError","b=c","",0,"%7E*-._%21%27%28%29=","k=caf%C3%A9+%F0%9F%98%80+%2B%2F%3F","a=2&a=1&b=3&z=1&z=0",["a1true","b2true"]]
urlMisc ["function",1,"URL",0,"http://x/","TypeError",0,"http://x/y","http://b/p",true]']
--- no_error_log
[error]
[alert]



=== TEST 2: an invalid URL is an uncaught TypeError: 500, logged with the input
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () { return new URL('no scheme').href; };
--- request
GET /t
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log
TypeError: Invalid URL: no scheme



=== TEST 3: ToObject on null in an array method is an uncaught TypeError: 500
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass t; }
--- user_files
>>> fn/t.js
module.exports = function () { return Array.prototype.flat.call(null); };
--- request
GET /t
--- error_code: 500
--- response_body chomp
{"error":"function failed"}
--- error_log
TypeError



=== TEST 4: URLSearchParams serializes characters of three UTF-8 bytes, nine escaped, past its old estimate
the buffer was sized at six bytes a character; U+FFFD (what a byte that
is not UTF-8 in a query becomes) escapes to nine, and the serializer
wrote past the buffer (found by t/fuzz/fuzz_url)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /p { faas_pass p; }
--- user_files
>>> fn/p.js
module.exports = function (ctx) {
    var s = new URLSearchParams({ a: new Array(5001).join(ctx.query.c) }).toString();
    return [s.length, s.slice(0, 20), s === 'a=' + new Array(5001).join('%EF%BF%BD')];
};
--- request
GET /p?c=%ff
--- response_body chomp
[45002,"a=%EF%BF%BD%EF%BF%BD",true]
--- no_error_log
[error]
[alert]
