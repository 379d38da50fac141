# vi:filetype=perl

# Map, Set, WeakMap, WeakSet and the iterators of arrays and strings,
# built-ins in C (src/ngx_faas_collections.c); the expectations follow the
# steps of ECMAScript 2019, sections 22.1.5, 21.1.5, 23.1 - 23.4, 25.1

use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
run_tests();

__DATA__

=== TEST 1: Map and Set: SameValueZero (NaN, -0 stored as +0), keys of every type, insertion order, delete, clear
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass basic; }
--- user_files
>>> fn/basic.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
    var o = {}, sym = Symbol('s'), m = new Map();
    print('set returns this', m.set(NaN, 'nan') === m);
    m.set(0, 'zero').set(-0, 'minus zero').set('0', 'string').set(o, 'object').set(sym, 'symbol');
    m.set(undefined, 'u').set(null, 'n').set(true, 't').set(1.5, 'f');
    print('size', m.size);
    print('NaN', m.get(NaN), m.get(0 / 0), m.has(Number('x')));
    print('zeros', m.get(0), m.get(-0));
    var zk; m.forEach(function (v, k) { if (k === 0) zk = 1 / k; });
    print('-0 stored as +0', zk);
    print('types kept apart', m.get('0'), m.get(o), m.get({}), m.get(sym), m.get(Symbol('s')), m.get(undefined), m.get(null), m.get(true), m.get(1.5), m.get('1.5'));
    var order = []; m.forEach(function (v, k) { order.push(String(k)); });
    print('order', order.join(','));
    m['delete'](0); m.set(0, 'again'); m.set(NaN, 'updated');
    order = []; m.forEach(function (v, k) { order.push(String(k) + '=' + v); });
    print('re-added goes last, updated stays', order.join(','));
    print('delete', m['delete']('nope'), m['delete'](o), m.has(o), m.size);
    m.clear(); print('clear', m.size, m.get(NaN), m.has(0));
    var s = new Set([1, '1', 1, NaN, NaN, -0, 0]);
    print('set', s.size, s.has(-0), s.has(NaN), s.add(2) === s, s['delete'](1), s.size);
    var e = s.entries().next().value; print('set entries', JSON.stringify(e), s.keys === s.values);
    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
set returns this true
size 9
NaN nan nan true
zeros minus zero minus zero
-0 stored as +0 Infinity
types kept apart string object undefined symbol undefined u n t f undefined
order NaN,0,0,[object Object],Symbol(s),undefined,null,true,1.5
re-added goes last, updated stays NaN=updated,0=string,[object Object]=object,Symbol(s)=symbol,undefined=u,null=n,true=t,1.5=f,0=again
delete false true false 8
clear 0 undefined false
set 4 true true true true 4
set entries ["1","1"] true
--- no_error_log
[error]
[alert]


=== TEST 2: the shape the spec gives: lengths, names, attributes, @@iterator and @@toStringTag, %IteratorPrototype%, TypeError for a call without new and for every incompatible receiver
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass props; }
--- user_files
>>> fn/props.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
    function d(o, k) { var x = Object.getOwnPropertyDescriptor(o, k); return x ? (x.writable ? 'w' : '-') + (x.enumerable ? 'e' : '-') + (x.configurable ? 'c' : '-') + (x.get ? ' get:' + x.get.name : '') : 'none'; }
    var names = ['Map', 'Set', 'WeakMap', 'WeakSet'];
    for (var i = 0; i < names.length; i++) {
        var C = globalThis[names[i]], P = C.prototype, r = [];
        Object.getOwnPropertyNames(P).sort().forEach(function (k) { var v = Object.getOwnPropertyDescriptor(P, k).value; r.push(k + (typeof v === 'function' ? '/' + v.length + (v.name === k ? '' : ' named ' + v.name) : '') + ' ' + d(P, k)); });
        print(names[i], C.length, C.name, d(globalThis, names[i]), d(C, 'prototype'), P[Symbol.toStringTag], d(P, Symbol.toStringTag), Object.prototype.toString.call(new C()), Object.prototype.toString.call(P));
        print('  ' + r.join('; '));
        try { C(); } catch (e) { print('  call without new:', e.name); }
    }
    var sizeGetter = Object.getOwnPropertyDescriptor(Map.prototype, 'size');
    print('size', d(Map.prototype, 'size'), sizeGetter.set);
    print('iterators', Map.prototype[Symbol.iterator] === Map.prototype.entries, Set.prototype[Symbol.iterator] === Set.prototype.values, Set.prototype.keys === Set.prototype.values, Array.prototype[Symbol.iterator] === Array.prototype.values);
    var mi = new Map().entries(), mip = Object.getPrototypeOf(mi), ip = Object.getPrototypeOf(mip);
    print('%MapIteratorPrototype%', Object.getOwnPropertyNames(mip).join(), mip[Symbol.toStringTag], mip.next.length, ip[Symbol.iterator].name, ip[Symbol.iterator].call(5) == 5);
    print('shared %IteratorPrototype%', [new Set().values(), [].keys(), ''[Symbol.iterator]()].every(function (it) { return Object.getPrototypeOf(Object.getPrototypeOf(it)) === ip; }));
    var bad = [
        function () { Map.prototype.get.call({}, 1); },
        function () { Map.prototype.get.call(Object.create(new Map()), 1); },
        function () { Map.prototype.has.call(new Set(), 1); },
        function () { Set.prototype.add.call(new Map(), 1); },
        function () { Map.prototype.size; },
        function () { Object.getOwnPropertyDescriptor(Set.prototype, 'size').get.call(new Map()); },
        function () { WeakMap.prototype.get.call(new Map(), {}); },
        function () { Map.prototype.forEach.call(5, function () {}); },
        function () { new Map().keys().next.call(new Set().values()); },
        function () { new Map().keys().next.call({}); },
        function () { [].keys().next.call(new Map().keys()); },
        function () { Map.prototype.entries.call(new WeakMap()); },
        function () { String.prototype[Symbol.iterator].call(null); },
        function () { Object.getPrototypeOf(Int8Array.prototype).values.call([]); }
    ];
    var r2 = bad.map(function (f) { try { f(); return 'no error'; } catch (e) { return e.name; } });
    print('incompatible receivers', r2.join(','));
    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
Map 0 Map w-c --- Map --c [object Map] [object Map]
  clear/0 w-c; constructor/0 named Map w-c; delete/1 w-c; entries/0 w-c; forEach/1 w-c; get/1 w-c; has/1 w-c; keys/0 w-c; set/2 w-c; size --c get:get size; values/0 w-c
  call without new: TypeError
Set 0 Set w-c --- Set --c [object Set] [object Set]
  add/1 w-c; clear/0 w-c; constructor/0 named Set w-c; delete/1 w-c; entries/0 w-c; forEach/1 w-c; has/1 w-c; keys/0 named values w-c; size --c get:get size; values/0 w-c
  call without new: TypeError
WeakMap 0 WeakMap w-c --- WeakMap --c [object WeakMap] [object WeakMap]
  constructor/0 named WeakMap w-c; delete/1 w-c; get/1 w-c; has/1 w-c; set/2 w-c
  call without new: TypeError
WeakSet 0 WeakSet w-c --- WeakSet --c [object WeakSet] [object WeakSet]
  add/1 w-c; constructor/0 named WeakSet w-c; delete/1 w-c; has/1 w-c
  call without new: TypeError
size --c get:get size undefined
iterators true true true true
%MapIteratorPrototype% next Map Iterator 0 [Symbol.iterator] true
shared %IteratorPrototype% true
incompatible receivers TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError,TypeError
--- no_error_log
[error]
[alert]


=== TEST 3: forEach and iterators while entries are added, deleted, cleared, compacted; thisArg; a non-callable callback; a throwing callback
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass fe; }
--- user_files
>>> fn/fe.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
function log(m) { var r = []; m.forEach(function (v, k) { r.push(k); }); return r.join(','); }
var m = new Map([[1,1],[2,2],[3,3],[4,4]]), seen = [];
m.forEach(function (v, k, map) { seen.push(k); if (k === 1) { map['delete'](2); map.set(5, 5); } if (k === 3 && seen.length < 4) { map['delete'](3); map.set(3, 3); } if (seen.length > 10) throw new Error('loop'); });
print('forEach mutate', seen.join(','), log(m));
seen = []; m = new Map([[1,1],[2,2]]);
m.forEach(function (v, k, map) { seen.push(k); if (k === 1) { map.clear(); map.set(9, 9); } });
print('forEach clear', seen.join(','));
m = new Map(); for (var i = 0; i < 1000; i++) m.set(i, i); seen = [];
m.forEach(function (v, k, map) { seen.push(k); if (k === 10) { for (var j = 11; j < 990; j++) map['delete'](j); } });
print('forEach shrink', seen.length, seen.slice(9, 14).join(','), m.size);
m = new Map([[0, 0]]); seen = 0;
m.forEach(function (v, k, map) { seen++; if (k < 5000) map.set(k + 1, 0); });
print('forEach grow', seen, m.size);
m = new Map([[1,1],[2,2]]); var it = m.keys(); it.next(); m.clear(); m.set(7, 7);
print('iter after clear', JSON.stringify(it.next()), JSON.stringify(it.next()), JSON.stringify(it.next()));
m.set(8, 8); print('done stays done', JSON.stringify(it.next()));
m = new Map(); it = m.values(); m.set('a', 1); print('live', JSON.stringify(it.next()));
m = new Map(); for (i = 0; i < 64; i++) m.set(i, i); it = m.keys();
for (i = 0; i < 20; i++) it.next();
for (i = 0; i < 60; i++) m['delete'](i);
for (i = 100; i < 200; i++) m.set(i, i);
var rest = []; for (var x = it.next(); !x.done; x = it.next()) rest.push(x.value);
print('across compaction', rest.length, rest[0], rest[4], rest[rest.length - 1]);
var s = new Set([1, 2, 3]); var r2 = []; s.forEach(function (v, v2, set) { r2.push(v + '/' + v2 + (set === s)); if (v === 1) s.add(4); });
print('set forEach', r2.join(','));
try { m.forEach(5); } catch (e) { print(e.name, e.message); }
try { m.forEach(function () { throw new Error('from cb'); }); } catch (e) { print(e.name, e.message); }
var self = {}; new Map([[1, 1]]).forEach(function () { print('thisArg', this === self); }, self);

    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
forEach mutate 1,3,4,5,3 1,4,5,3
forEach clear 1,9
forEach shrink 21 9,10,990,991,992 21
forEach grow 5001 5001
iter after clear {"value":7,"done":false} {"done":true} {"done":true}
done stays done {"done":true}
live {"value":1,"done":false}
across compaction 104 60 100 199
set forEach 1/1true,2/2true,3/3true,4/4true
TypeError 5 is not a function
Error from cb
thisArg true
--- no_error_log
[error]
[alert]


=== TEST 4: constructors: any iterable, the entry protocol, this.set/this.add as adders, IteratorClose on abrupt steps only, the fast paths behave as the protocol
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass ctor; }
--- user_files
>>> fn/ctor.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
function iterable(items, log, opts) {
    var o = {}; o[Symbol.iterator] = function () { var i = 0; log.push('@@iterator');
        var it = { next: function () { log.push('next'); if (opts && opts.nextThrows && i === 1) throw new Error('next threw'); return i < items.length ? { value: items[i++], done: false } : { value: 'ignored', done: true }; } };
        if (!opts || !opts.noReturn) it['return'] = function () { log.push('return'); if (opts && opts.returnThrows) throw new Error('return threw'); return {}; };
        return it; };
    return o;
}
var log = [], m = new Map(iterable([[1, 'a'], [2, 'b']], log)); print('plain', m.size, log.join(' '));
log = []; try { new Map(iterable([[1, 'a'], 5], log)); } catch (e) { print('non-object entry', e.name, log.join(' ')); }
log = []; try { new Map(iterable([[1, 'a'], [2]], log, { nextThrows: true })); } catch (e) { print('next throws', e.message, log.join(' ')); }
log = []; try { new Map(iterable([[1, 'a'], 5], log, { returnThrows: true })); } catch (e) { print('return throws', e.name, log.join(' ')); }
log = []; try { new Set(iterable([1, 2], log, {})); } catch (e) { print('x'); }
var orig = Map.prototype.set; log = [];
Map.prototype.set = function (k, v) { log.push('set ' + k); if (k === 2) throw new Error('adder threw'); return orig.call(this, k, v); };
try { new Map(iterable([[1, 'a'], [2, 'b'], [3, 'c']], log)); } catch (e) { print('adder throws', e.message, log.join(' ')); }
log = []; new Map([[1, 'a'], [5, 'b']]); print('array uses this.set', log.join(' '));
Map.prototype.set = 5; try { new Map([]); } catch (e) { print('adder not callable', e.name); }
Map.prototype.set = orig;
var calls = 0, entry = {}; Object.defineProperty(entry, '0', { get: function () { calls++; return 'k'; } }); Object.defineProperty(entry, '1', { get: function () { calls++; return 'v'; } });
print('entry getters', new Map([entry]).get('k'), calls);
try { new Map(5); } catch (e) { print('not iterable', e.name); }
try { new Set({}); } catch (e) { print('not iterable obj', e.name); }
print('null/undefined', new Map(null).size, new Set(undefined).size);
var src = new Map([[1, 'a'], [NaN, 'b']]); var copy = new Map(src); print('copy map', copy.size, copy.get(NaN), copy !== src);
var sset = new Set(src); print('set of map', sset.size, JSON.stringify(sset.values().next().value));
var ms = new Map(new Set([[1, 2]])); print('map of set', ms.get(1));
print('set of string', new Set('a\ud83d\ude00a').size);
var arrIterOrig = Array.prototype[Symbol.iterator]; log = [];
Array.prototype[Symbol.iterator] = function () { log.push('custom'); return arrIterOrig.call(this); };
new Set([1, 2]); print('array @@iterator replaced', log.join());
Array.prototype[Symbol.iterator] = arrIterOrig;
var AIP = Object.getPrototypeOf([][Symbol.iterator]()); log = [];
AIP['return'] = function () { log.push('array return'); return {}; };
try { new Map([[1, 1], 2]); } catch (e) { print('array iterator closed', log.join()); }
delete AIP['return'];
print('holes', new Set([, 1]).has(undefined), new Set([, 1]).size);
var a2 = [1, 2, 3]; var grow = { }; 
var sg = new Set(); var arr = [{}, {}]; Object.defineProperty(arr, '0', { get: function () { arr.push(9); return 0; } }); print('length re-read', new Set(arr).size);
print(Object.getPrototypeOf(new Map()) === Map.prototype, new Map() instanceof Map, typeof Map.prototype.constructor, Map.prototype.constructor === Map);
try { Map.prototype.size; } catch (e) { print('size on proto', e.name); }
try { Set.prototype.has.call(new Map(), 1); } catch (e) { print('set method on map', e.name); }
try { new Map().keys().next.call(new Set().values()); } catch (e) { print('map next on set iter', e.name); }
try { WeakMap(); } catch (e) { print('WeakMap without new', e.name); }
var k = {}, k2 = function () {}; var wm = new WeakMap([[k, 1], [k2, 2]]); print('weakmap ctor', wm.get(k), wm.get(k2), wm.has({}), wm.get('x'), wm['delete'](1), wm['delete'](k), wm.has(k));
try { new WeakMap([[1, 1]]); } catch (e) { print('weakmap primitive key', e.name, e.message); }
try { new WeakSet([1]); } catch (e) { print('weakset primitive', e.name, e.message); }
print('weakmap set returns this', wm.set(k, 3) === wm, wm.get(k));
var wm2 = new WeakMap(); wm2.set(k, 'other'); print('two weakmaps', wm.get(k), wm2.get(k));
var ne = Object.preventExtensions({}); wm.set(ne, 'ne'); print('non-extensible key', wm.get(ne));
var sealed = {}; wm.set(sealed, 1); Object.freeze(sealed); wm.set(sealed, 2); print('frozen after set', wm.get(sealed), wm['delete'](sealed), wm.has(sealed));
print(String(new WeakMap()), String(new WeakSet()), String(new Set()), String(new Set().values()), String([].keys()), String(''[Symbol.iterator]()));
print(Object.keys(k).length, JSON.stringify(k), Object.getOwnPropertyNames(k).length);

    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
plain 2 @@iterator next next next
non-object entry TypeError @@iterator next next return
next throws next threw @@iterator next next
return throws TypeError @@iterator next next return
adder throws adder threw @@iterator next set 1 next set 2 return
array uses this.set set 1 set 5
adder not callable TypeError
entry getters v 2
not iterable TypeError
not iterable obj TypeError
null/undefined 0 0
copy map 2 b true
set of map 2 [1,"a"]
map of set 2
set of string 2
array @@iterator replaced custom
array iterator closed array return
holes true 2
length re-read 3
true true function true
size on proto TypeError
set method on map TypeError
map next on set iter TypeError
WeakMap without new TypeError
weakmap ctor 1 2 false undefined false true false
weakmap primitive key TypeError invalid value used as weak map key
weakset primitive TypeError invalid value used in weak set
weakmap set returns this true 3
two weakmaps 3 other
non-extensible key ne
frozen after set 2 true false
[object WeakMap] [object WeakSet] [object Set] [object Set Iterator] [object Array Iterator] [object String Iterator]
0 {} 0
--- no_error_log
[error]
[alert]


=== TEST 5: WeakMap and WeakSet: object keys only, keys (and a value that is its key) collected, nothing visible on keys, prototypes, Proxies, frozen keys
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass weak; }
--- user_files
>>> fn/weak.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
    var freed = [];
    function key(name) { var k = { name: name }; Duktape.fin(k, function (o) { freed.push(o.name); }); return k; }
    var wm = new WeakMap(), ws = new WeakSet(), m = new Map();
    (function () {
        var a = key('in WeakMap'), b = key('in WeakSet'), c = key('in Map'), d = key('WeakMap value is the key');
        wm.set(a, { big: 1 }); ws.add(b); m.set(c, 1); wm.set(d, d);
    })();
    Duktape.gc(); Duktape.gc();
    print('collected', freed.sort().join(', '));
    print('Map keeps its key', m.size);
    var k = {}; wm.set(k, 'v');
    print('nothing visible on the key', Object.getOwnPropertyNames(k).length, JSON.stringify(k), Object.getOwnPropertySymbols(k).length);
    var child = Object.create(k);
    print('not inherited', wm.has(child), wm.get(child), wm['delete'](child), wm.has(k));
    wm.set(child, 'c'); print('own entries', wm.get(k), wm.get(child));
    var p = new Proxy(k, {}); wm.set(p, 'proxy');
    print('proxy and target are two keys', wm.get(p), wm.get(k));
    var t2 = {}, p2 = new Proxy(t2, {}); wm.set(p2, 'p2'); wm.set(t2, 't2'); wm.set(p2, 'p2 again');
    print('proxy first, then target', wm.get(p2), wm.get(t2), wm.has(new Proxy(t2, {})));
    var f = Object.freeze({}); ws.add(f); print('frozen key', ws.has(f), ws['delete'](f), ws.has(f), ws['delete'](f));
    var primitives = [1, 'a', null, undefined, true, Symbol('x')];
    print('primitives: get/has/delete', primitives.map(function (v) { return String(wm.get(v)) + wm.has(v) + ws.has(v) + wm['delete'](v) + ws['delete'](v); }).join(' '));
    print('primitives: set/add', primitives.map(function (v) { try { wm.set(v, 1); return 'no error'; } catch (e) { return e.name; } }).join() + ' ' + primitives.map(function (v) { try { ws.add(v); return 'no error'; } catch (e) { return e.name; } }).join());
    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
collected WeakMap value is the key, in WeakMap, in WeakSet
Map keeps its key 1
nothing visible on the key 0 {} 0
not inherited false undefined false true
own entries v c
proxy and target are two keys proxy v
proxy first, then target p2 again t2 false
frozen key true true false false
primitives: get/has/delete undefinedfalsefalsefalsefalse undefinedfalsefalsefalsefalse undefinedfalsefalsefalsefalse undefinedfalsefalsefalsefalse undefinedfalsefalsefalsefalse undefinedfalsefalsefalsefalse
primitives: set/add TypeError,TypeError,TypeError,TypeError,TypeError,TypeError TypeError,TypeError,TypeError,TypeError,TypeError,TypeError
--- no_error_log
[error]
[alert]


=== TEST 6: iterators of arrays, array-likes, typed arrays and strings (by code point), and the for-of helper a transpiler emits
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass arrays; }
--- user_files
>>> fn/arrays.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
    function all(it) { var r = []; for (var x = it.next(); !x.done; x = it.next()) r.push(String(JSON.stringify(x.value))); return r.join(' '); }
    var a = ['a', , 'c'];
    print('values', all(a.values()), '| keys', all(a.keys()), '| entries', all(a.entries()));
    var grow = [1, 2], it = grow[Symbol.iterator](); it.next(); grow.push(3); grow.length = 3;
    print('length read at each step', all(it));
    grow.push(4); print('done stays done', JSON.stringify(it.next()));
    print('array-like', all(Array.prototype.values.call({ length: '2', 0: 'x', 1: 'y', 2: 'z' })), all(Array.prototype.keys.call({ length: -5 })), all(Array.prototype.entries.call('hi')));
    print('typed array', all(new Uint8Array([1, 2, 3])[Symbol.iterator]()), all(new Float64Array([0.5]).entries()), all(new Int16Array(2).keys()));
    function units(s) { var r = []; for (var it = s[Symbol.iterator](), x = it.next(); !x.done; x = it.next()) { var u = []; for (var i = 0; i < x.value.length; i++) u.push(x.value.charCodeAt(i).toString(16)); r.push(u.join('+')); } return r.join(' '); }
    print('string by code point', units('a\ud83d\ude00b\u00e9'), '|', units(String.fromCharCode(0xd800, 0x41, 0xdc00, 0xdbff)), '|', JSON.stringify(units('')));
    var empty = [][Symbol.iterator](); print('empty', JSON.stringify(empty.next()), 'value' in empty.next(), empty.next().value);
    // what Babel emits for for (const x of xs) without loose mode
    function helper(o) { var it = o[Symbol.iterator](), s; return { s: function () {}, n: function () { return s = it.next(); } }; }
    var sum = 0, h = helper([1, 2, 3]), step; for (h.s(); !(step = h.n()).done;) sum += step.value;
    var seen = []; var mh = helper(new Map([['k', 1], ['l', 2]])); for (mh.s(); !(step = mh.n()).done;) seen.push(step.value[0] + step.value[1]);
    print('for-of helper', sum, seen.join());
    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
values "a" undefined "c" | keys 0 1 2 | entries [0,"a"] [1,null] [2,"c"]
length read at each step 2 3
done stays done {"done":true}
array-like "x" "y"  [0,"h"] [1,"i"]
typed array 1 2 3 [0,0.5] 0 1
string by code point 61 d83d+de00 62 e9 | d800 41 dc00 dbff | ""
empty {"done":true} true undefined
for-of helper 6 k1,l2
--- no_error_log
[error]
[alert]


=== TEST 7: random operations and interleaved iterators agree with a model written from the spec (a list with emptied records)
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 30s;
--- config
    location /t { faas_pass model; }
--- user_files
>>> fn/model.js
module.exports = function () {
    var out = [];
    function print() { out.push(Array.prototype.map.call(arguments, String).join(' ')); }
// a reference Map written from the spec's steps: a List of records, deleted ones emptied
function sameValueZero(a, b) { return a === b || (a !== a && b !== b); }
function RefMap() { this.list = []; }
RefMap.prototype.find = function (k) { for (var i = 0; i < this.list.length; i++) { var e = this.list[i]; if (e && sameValueZero(e.k, k)) return i; } return -1; };
RefMap.prototype.set = function (k, v) { var i = this.find(k); if (i >= 0) this.list[i].v = v; else this.list.push({ k: (k === 0 ? 0 : k), v: v }); };
RefMap.prototype.del = function (k) { var i = this.find(k); if (i < 0) return false; this.list[i] = null; return true; };
RefMap.prototype.clear = function () { for (var i = 0; i < this.list.length; i++) this.list[i] = null; };
RefMap.prototype.size = function () { var n = 0; for (var i = 0; i < this.list.length; i++) if (this.list[i]) n++; return n; };
RefMap.prototype.iter = function () { var self = this, pos = 0, done = false; return { next: function () {
    if (done) return { done: true };
    while (pos < self.list.length && !self.list[pos]) pos++;
    if (pos >= self.list.length) { done = true; return { done: true }; }
    var e = self.list[pos++]; return { done: false, value: [e.k, e.v] }; } }; };
function rng(seed) { return function () { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; }; }
function fuzz(seed, steps, keyspace) {
    var r = rng(seed), m = new Map(), ref = new RefMap(), its = [], refs = [], out = 0, objs = [];
    for (var i = 0; i < 8; i++) objs.push({ id: i });
    var keys = [NaN, 0, -0, '', 'a', 'b', true, false, null, undefined, 1.5, -1];
    for (var s = 0; s < steps; s++) {
        var op = r(), kk = Math.floor(r() * keyspace), k;
        k = kk < keys.length ? keys[kk] : (kk < keys.length + objs.length ? objs[kk - keys.length] : (kk % 2 ? 'k' + kk : kk));
        if (op < 0.45) { m.set(k, s); ref.set(k, s); }
        else if (op < 0.8) { if (m['delete'](k) !== ref.del(k)) throw new Error('delete differs at ' + s); }
        else if (op < 0.81) { m.clear(); ref.clear(); }
        else if (op < 0.83) { its.push(m.entries()); refs.push(ref.iter()); }
        else if (its.length) {
            var j = Math.floor(r() * its.length), a = its[j].next(), b = refs[j].next();
            if (a.done !== b.done || (!a.done && (!sameValueZero(a.value[0], b.value[0]) || a.value[1] !== b.value[1] || 1 / a.value[0] !== 1 / b.value[0] && a.value[0] === 0)))
                throw new Error('iterator differs at step ' + s + ': ' + JSON.stringify(a) + ' vs ' + JSON.stringify(b));
            out++;
        }
        if (m.size !== ref.size()) throw new Error('size differs at ' + s);
        if (m.has(k) !== (ref.find(k) >= 0) || m.get(k) !== (ref.find(k) >= 0 ? ref.list[ref.find(k)].v : undefined)) throw new Error('get differs at ' + s);
    }
    var a = [], b = [];
    m.forEach(function (v, k) { a.push(String(k) + ':' + v); });
    for (var it = ref.iter(), x = it.next(); !x.done; x = it.next()) b.push(String(x.value[0]) + ':' + x.value[1]);
    if (a.join() !== b.join()) throw new Error('order differs');
    return out;
}
var total = 0;
for (var seed = 1; seed <= 4; seed++) total += fuzz(seed, 1500, seed % 2 ? 40 : 400);
print('fuzz ok', total);

    return out.join('\n');
};
--- request
GET /t
--- response_body chomp
fuzz ok 938
--- timeout: 35
--- no_error_log
[error]
[alert]


=== TEST 8: 100k entries of each kind of key: set, get, delete half, walk, delete all, copy (no quadratic path)
a sanitizer build ran past a budget of 10 s; a quadratic path over 100k
entries (billions of steps) does not fit in 60 s either
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_timeout 60s;
--- config
    location /t { faas_pass big; }
--- user_files
>>> fn/big.js
module.exports = function () {
    var n = 100000, i, m = new Map(), s = new Set(), objs = [], start = Date.now();
    for (i = 0; i < n; i++) { objs.push({ i: i }); }
    for (i = 0; i < n; i++) { m.set('k' + i, i); m.set(i, -i); m.set(objs[i], i); s.add(objs[i]); }
    var ok = m.size === 3 * n && s.size === n && m.get('k77777') === 77777 && m.get(77777) === -77777 && m.get(objs[5]) === 5;
    for (i = 0; i < n; i += 2) { m['delete']('k' + i); m['delete'](i); s['delete'](objs[i]); }
    var count = 0, sum = 0; m.forEach(function (v, k) { count++; if (typeof k === 'number') sum += v; });
    var it = s.values(), seen = 0; for (var x = it.next(); !x.done; x = it.next()) { if (x.value.i % 2 !== 1) ok = false; seen++; }
    for (i = 0; i < n; i++) { m['delete']('k' + i); m['delete'](i); m['delete'](objs[i]); }
    m.set('last', 1);
    var copy = new Map(new Map(objs.map(function (o) { return [o.i, o]; })));
    return [ok, m.size, count, sum, seen, copy.size, copy.get(n - 1) === objs[n - 1]].join(' ');
};
--- request
GET /t
--- response_body chomp
true 1 200000 -2500000000 50000 100000 true
--- timeout: 90
--- no_error_log
[error]
[alert]


=== TEST 9: finalizers that change the map while delete() releases its values: no crash, a consistent map
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
--- config
    location /t { faas_pass fin; }
--- user_files
>>> fn/fin.js
module.exports = function () {
    // values whose finalizers change the map while it releases them
    var m = new Map(), log = [];
    function value(tag, action) { var v = { tag: tag }; Duktape.fin(v, function () { log.push(tag); action(); }); return v; }
    for (var i = 0; i < 64; i++) m.set(i, value(i, i % 3 ? function () { m.set('fin' + log.length, 1); } : function () { m.clear(); m.set('after clear', log.length); }));
    var it = m.keys(); it.next();
    for (i = 0; i < 64; i++) { m['delete'](i); }
    Duktape.gc();
    var keys = []; m.forEach(function (v, k) { keys.push(k); });
    var rest = 0; for (var x = it.next(); !x.done; x = it.next()) rest++;
    return [log.length, m.size === keys.length, rest <= m.size + 64, typeof m.get('after clear')].join(' ');
};
--- request
GET /t
--- response_body chomp
64 true true number
--- no_error_log
[error]
[alert]


=== TEST 10: a Map that grows past faas_memory: 500 naming the cap
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 2m;
--- config
    location /t { faas_pass hog; }
--- user_files
>>> fn/hog.js
module.exports = function () {
    var m = new Map();
    for (var i = 0; ; i++) { m.set(i, i); }
};
--- request
GET /t
--- error_code: 500
--- response_body chomp
{"error":"function exceeded its memory limit"}
--- timeout: 5
--- error_log eval
qr/\[error\] .*faas: function "hog" exceeded faas_memory 2048k: Error: alloc failed/
--- no_error_log
[alert]
[crit]



=== TEST 11: after a Map over the cap the heap is rebuilt and serves on
--- http_config
    faas_functions $TEST_NGINX_SERVER_ROOT/html/fn;
    faas_memory 2m;
--- config
    location ~ ^/t/(\w+)$ { faas_pass $1; }
--- user_files
>>> fn/hog.js
module.exports = function () {
    var s = new Set();
    for (var i = 0; ; i++) { s.add('k' + i); }
};
>>> fn/count.js
var m = new Map();
module.exports = function () { m.set(m.size, 1); return m.size; };
--- request eval
["GET /t/hog", "GET /t/count", "GET /t/count"]
--- error_code eval
[500, 200, 200]
--- response_body eval
['{"error":"function exceeded its memory limit"}', "1", "2"]
--- timeout: 5
--- no_error_log
[alert]
[crit]
