/*
 * The polyfills faas-build may put in front of a bundle: only what neither
 * Duktape 2.7 nor the module's built-ins (src/ngx_faas_builtins.c) have,
 * each behind a feature test, so a runtime that has the built-in (Node, or
 * the module once it provides it in C) keeps its own and the code here
 * never runs. Nothing here replaces a built-in that exists: that is what
 * core-js "usage" mode does, and since the functions of one app share a
 * heap, one such bundle would slow every function.
 *
 * Each entry: name, `uses` (a bundle whose code, as esbuild wrote it
 * before Babel lowered it, matches gets the polyfill: Babel's own helpers
 * test for what they use and fall back, so they are not counted; a false
 * positive costs some bytes, never behaviour), `after` (entries it builds
 * on) and `code`, an ES5 function called with the global object. The
 * functions are emitted with Function.prototype.toString, so they must
 * stay ES5 and self-contained.
 */

'use strict';

module.exports = [
{
    name: 'iterators',
    uses: /\bSymbol\.iterator\b|@@iterator|(?<!Object)\.(?:entries|keys|values)\(/,
    code: function (G) {
        /* Array.prototype keys/values/entries and @@iterator, String's */
        var AP = Array.prototype;
        var SP = String.prototype;
        var IT = Symbol.iterator;

        function define(o, name, fn) {
            if (typeof o[name] !== 'function') {
                Object.defineProperty(o, name, { value: fn, writable: true,
                                                 configurable: true });
            }
        }

        function ArrayIterator(a, kind) {
            this.a = a;
            this.i = 0;
            this.kind = kind;
        }

        define(ArrayIterator.prototype, 'next', function () {
            var a = this.a, i = this.i;

            if (a === undefined || i >= a.length) {
                this.a = undefined;
                return { value: undefined, done: true };
            }

            this.i = i + 1;

            return { value: this.kind === 1 ? i
                            : this.kind === 2 ? a[i] : [i, a[i]],
                     done: false };
        });

        define(ArrayIterator.prototype, IT, function () { return this; });

        define(AP, 'keys', function () {
            return new ArrayIterator(Object(this), 1);
        });
        define(AP, 'values', function () {
            return new ArrayIterator(Object(this), 2);
        });
        define(AP, 'entries', function () {
            return new ArrayIterator(Object(this), 3);
        });
        define(AP, IT, AP.values);

        function StringIterator(s) {
            this.s = s;
            this.i = 0;
        }

        define(StringIterator.prototype, 'next', function () {
            var s = this.s, i = this.i, c, n;

            if (i >= s.length) {
                return { value: undefined, done: true };
            }

            c = s.charCodeAt(i);
            n = (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length
                 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) ? 2 : 1;
            this.i = i + n;

            return { value: s.substr(i, n), done: false };
        });

        define(StringIterator.prototype, IT, function () { return this; });

        define(SP, IT, function () {
            if (this === null || this === undefined) {
                throw new TypeError('String.prototype[Symbol.iterator] '
                                    + 'called on null or undefined');
            }
            return new StringIterator(String(this));
        });
    }
},
{
    name: 'Map, Set',
    uses: /(?<![\w$.'"-])(?:Map|Set)(?![\w$'"-])/,
    after: ['iterators'],
    code: function (G) {
        /*
         * Entries in a doubly linked list in insertion order, found through
         * dictionaries: strings as they are (no new string per lookup, which
         * Duktape would intern), other primitives by type and value
         * (SameValueZero), objects by an id kept under a symbol on the
         * object; symbols and objects that cannot take the id are searched
         * linearly. A deleted entry
         * keeps its links, so an iterator standing on it walks back to the
         * last live entry and goes on from there: deletions and additions
         * during iteration behave as the specification says.
         */
        var hasOwn = Object.prototype.hasOwnProperty;
        var ID = Symbol('faas collection id');
        var IT = Symbol.iterator;
        var ids = 0;

        if (typeof G.Map === 'function' && typeof G.Set === 'function') {
            return;
        }

        function define(o, name, fn) {
            Object.defineProperty(o, name, { value: fn, writable: true,
                                             configurable: true });
        }

        function hashOf(k) {
            var t = typeof k;

            if (k === null) {
                return 'null';
            }

            if (t === 'object' || t === 'function') {
                if (hasOwn.call(k, ID)) {
                    return k[ID];
                }

                if (!Object.isExtensible(k)) {
                    return null;
                }

                Object.defineProperty(k, ID, { value: 'o' + (++ids) });

                return k[ID];
            }

            if (t === 'symbol') {
                return null;
            }

            /* String(-0) is "0" and String(NaN) "NaN": SameValueZero */
            return t.charAt(0) + String(k);
        }

        function same(a, b) {
            return a === b || (a !== a && b !== b);
        }

        function init(c) {
            c._head = { removed: false, next: null, prev: null };
            c._tail = c._head;
            c._str = Object.create(null);
            c._index = Object.create(null);
            c._slow = [];
            c._size = 0;
        }

        function find(c, k) {
            var h, i, e;

            if (typeof k === 'string') {
                e = c._str[k];
                return e === undefined ? null : e;
            }

            h = hashOf(k);
            if (h !== null) {
                e = c._index[h];
                return e === undefined ? null : e;
            }

            for (i = 0; i < c._slow.length; i++) {
                e = c._slow[i];
                if (same(e.key, k)) {
                    return e;
                }
            }

            return null;
        }

        function add(c, k, v) {
            var e = find(c, k), h;

            if (e !== null) {
                e.value = v;
                return;
            }

            if (k === 0) {
                k = 0;          /* -0 is stored as +0 */
            }

            e = { key: k, value: v, removed: false, next: null,
                  prev: c._tail };
            c._tail.next = e;
            c._tail = e;
            c._size++;

            if (typeof k === 'string') {
                c._str[k] = e;
                return;
            }

            h = hashOf(k);
            if (h !== null) {
                c._index[h] = e;
            } else {
                c._slow.push(e);
            }
        }

        function remove(c, k) {
            var e = find(c, k), h, i;

            if (e === null) {
                return false;
            }

            if (typeof k === 'string') {
                delete c._str[k];
            } else if ((h = hashOf(k)) !== null) {
                delete c._index[h];
            } else {
                i = c._slow.indexOf(e);
                c._slow.splice(i, 1);
            }

            e.removed = true;
            e.prev.next = e.next;
            if (e.next !== null) {
                e.next.prev = e.prev;
            } else {
                c._tail = e.prev;
            }
            c._size--;

            return true;
        }

        function clear(c) {
            var e;

            for (e = c._head.next; e !== null; e = e.next) {
                e.removed = true;
                e.prev = c._head;
            }

            c._head.next = null;
            c._tail = c._head;
            c._str = Object.create(null);
            c._index = Object.create(null);
            c._slow = [];
            c._size = 0;
        }

        function step(e) {
            while (e.removed) {
                e = e.prev;
            }
            return e.next;
        }

        function each(c, fn, self) {
            var e;

            if (typeof fn !== 'function') {
                throw new TypeError(fn + ' is not a function');
            }

            for (e = step(c._head); e !== null; e = step(e)) {
                fn.call(self, e.value, e.key, c);
            }
        }

        function Iterator(c, kind) {
            this._e = c._head;
            this._kind = kind;
        }

        define(Iterator.prototype, 'next', function () {
            var e = this._e;

            if (e === null || (e = step(e)) === null) {
                this._e = null;
                return { value: undefined, done: true };
            }

            this._e = e;

            return { value: this._kind === 1 ? e.key
                            : this._kind === 2 ? e.value : [e.key, e.value],
                     done: false };
        });

        define(Iterator.prototype, IT, function () { return this; });

        function fill(c, iterable, fn) {
            var i, it, r;

            if (iterable === null || iterable === undefined) {
                return;
            }

            if (Array.isArray(iterable)) {
                for (i = 0; i < iterable.length; i++) {
                    fn(c, iterable[i]);
                }
                return;
            }

            if (typeof iterable[IT] !== 'function') {
                throw new TypeError(iterable + ' is not iterable');
            }

            it = iterable[IT]();
            for (r = it.next(); !r.done; r = it.next()) {
                try {
                    fn(c, r.value);

                } catch (e) {
                    if (typeof it['return'] === 'function') {
                        it['return']();
                    }
                    throw e;
                }
            }
        }

        function check(c, Ctor, name) {
            if (!(c instanceof Ctor) || c._head === undefined) {
                throw new TypeError(name + ' method called on an incompatible'
                                    + ' receiver');
            }
        }

        /* has, delete, clear, forEach, size and the tag of both classes */
        function common(Ctor, name) {
            var P = Ctor.prototype;

            define(P, 'has', function (k) {
                check(this, Ctor, name);
                return find(this, k) !== null;
            });
            define(P, 'delete', function (k) {
                check(this, Ctor, name);
                return remove(this, k);
            });
            define(P, 'clear', function () {
                check(this, Ctor, name);
                clear(this);
            });
            define(P, 'forEach', function (fn, self) {
                check(this, Ctor, name);
                each(this, fn, self);
            });
            Object.defineProperty(P, 'size', {
                get: function () {
                    check(this, Ctor, name);
                    return this._size;
                },
                configurable: true
            });
            Object.defineProperty(P, Symbol.toStringTag,
                                  { value: name, configurable: true });
        }

        function Map(iterable) {
            if (!(this instanceof Map)) {
                throw new TypeError("constructor Map requires 'new'");
            }

            init(this);
            fill(this, iterable, function (c, item) {
                if (Object(item) !== item) {
                    throw new TypeError('iterator value ' + item
                                        + ' is not an entry object');
                }
                c.set(item[0], item[1]);
            });
        }

        define(Map.prototype, 'get', function (k) {
            var e;

            check(this, Map, 'Map');
            e = find(this, k);

            return e === null ? undefined : e.value;
        });
        define(Map.prototype, 'set', function (k, v) {
            check(this, Map, 'Map');
            add(this, k, v);
            return this;
        });
        common(Map, 'Map');
        define(Map.prototype, 'keys', function () {
            check(this, Map, 'Map');
            return new Iterator(this, 1);
        });
        define(Map.prototype, 'values', function () {
            check(this, Map, 'Map');
            return new Iterator(this, 2);
        });
        define(Map.prototype, 'entries', function () {
            check(this, Map, 'Map');
            return new Iterator(this, 3);
        });
        define(Map.prototype, IT, Map.prototype.entries);

        function Set(iterable) {
            if (!(this instanceof Set)) {
                throw new TypeError("constructor Set requires 'new'");
            }

            init(this);
            fill(this, iterable, function (c, item) {
                c.add(item);
            });
        }

        define(Set.prototype, 'add', function (v) {
            check(this, Set, 'Set');
            add(this, v, v);
            return this;
        });
        common(Set, 'Set');
        define(Set.prototype, 'values', function () {
            check(this, Set, 'Set');
            return new Iterator(this, 1);
        });
        define(Set.prototype, 'keys', Set.prototype.values);
        define(Set.prototype, 'entries', function () {
            check(this, Set, 'Set');
            return new Iterator(this, 3);
        });
        define(Set.prototype, IT, Set.prototype.values);

        if (typeof G.Map !== 'function') {
            define(G, 'Map', Map);
        }

        if (typeof G.Set !== 'function') {
            define(G, 'Set', Set);
        }
    }
},
{
    name: 'WeakMap, WeakSet',
    /* Babel lowers #private members and named groups to WeakMap/WeakSet */
    uses: /(?<![\w$.'"-])Weak(?:Map|Set)(?![\w$'"-])|\.#[A-Za-z_$]|^\s+(?:(?:static|get|set|async)\s+)*#[A-Za-z_$]|#[\w$]+\s+in\s|\(\?<[A-Za-z_$]/m,
    code: function (G) {
        /*
         * The value lives on the key, under a symbol of its own per
         * collection, so it goes when the key goes; keys that cannot take
         * a property (frozen objects) are held in arrays, strongly
         */
        var hasOwn = Object.prototype.hasOwnProperty;
        var n = 0;

        function define(o, name, fn) {
            Object.defineProperty(o, name, { value: fn, writable: true,
                                             configurable: true });
        }

        function isKey(k) {
            return k !== null && (typeof k === 'object'
                                  || typeof k === 'function');
        }

        function init(c, name) {
            Object.defineProperty(c, '_sym',
                                  { value: Symbol(name + ' ' + (++n)) });
            Object.defineProperty(c, '_keys', { value: [] });
            Object.defineProperty(c, '_values', { value: [] });
        }

        function get(c, k) {
            var i;

            if (!isKey(k)) {
                return undefined;
            }
            if (hasOwn.call(k, c._sym)) {
                return k[c._sym];
            }
            i = c._keys.indexOf(k);
            return i < 0 ? undefined : c._values[i];
        }

        function has(c, k) {
            return isKey(k) && (hasOwn.call(k, c._sym)
                                || c._keys.indexOf(k) >= 0);
        }

        function set(c, k, v, name) {
            var i;

            if (!isKey(k)) {
                throw new TypeError('invalid value used as ' + name + ' key');
            }
            if (hasOwn.call(k, c._sym) || Object.isExtensible(k)) {
                Object.defineProperty(k, c._sym, { value: v, writable: true,
                                                   configurable: true });
                return;
            }
            i = c._keys.indexOf(k);
            if (i < 0) {
                c._keys.push(k);
                c._values.push(v);
            } else {
                c._values[i] = v;
            }
        }

        function remove(c, k) {
            var i;

            if (!isKey(k)) {
                return false;
            }
            if (hasOwn.call(k, c._sym)) {
                return delete k[c._sym];
            }
            i = c._keys.indexOf(k);
            if (i < 0) {
                return false;
            }
            c._keys.splice(i, 1);
            c._values.splice(i, 1);
            return true;
        }

        function fill(iterable, fn) {
            var i, it, r;

            if (iterable === null || iterable === undefined) {
                return;
            }
            if (Array.isArray(iterable)) {
                for (i = 0; i < iterable.length; i++) {
                    fn(iterable[i]);
                }
                return;
            }
            it = iterable[Symbol.iterator]();
            for (r = it.next(); !r.done; r = it.next()) {
                fn(r.value);
            }
        }

        function WeakMap(iterable) {
            var self = this;

            if (!(this instanceof WeakMap)) {
                throw new TypeError("constructor WeakMap requires 'new'");
            }
            init(this, 'WeakMap');
            fill(iterable, function (item) {
                set(self, item[0], item[1], 'WeakMap');
            });
        }

        define(WeakMap.prototype, 'get', function (k) {
            return get(this, k);
        });
        define(WeakMap.prototype, 'set', function (k, v) {
            set(this, k, v, 'WeakMap');
            return this;
        });
        define(WeakMap.prototype, 'has', function (k) {
            return has(this, k);
        });
        define(WeakMap.prototype, 'delete', function (k) {
            return remove(this, k);
        });
        Object.defineProperty(WeakMap.prototype, Symbol.toStringTag,
                              { value: 'WeakMap', configurable: true });

        function WeakSet(iterable) {
            var self = this;

            if (!(this instanceof WeakSet)) {
                throw new TypeError("constructor WeakSet requires 'new'");
            }
            init(this, 'WeakSet');
            fill(iterable, function (v) {
                set(self, v, true, 'WeakSet');
            });
        }

        define(WeakSet.prototype, 'add', function (v) {
            set(this, v, true, 'WeakSet');
            return this;
        });
        define(WeakSet.prototype, 'has', function (v) {
            return has(this, v);
        });
        define(WeakSet.prototype, 'delete', function (v) {
            return remove(this, v);
        });
        Object.defineProperty(WeakSet.prototype, Symbol.toStringTag,
                              { value: 'WeakSet', configurable: true });

        if (typeof G.WeakMap !== 'function') {
            define(G, 'WeakMap', WeakMap);
        }
        if (typeof G.WeakSet !== 'function') {
            define(G, 'WeakSet', WeakSet);
        }
    }
},
{
    name: 'Object.getOwnPropertyDescriptors',
    uses: /\bObject\.getOwnPropertyDescriptors\b/,
    code: function (G) {
        if (typeof Object.getOwnPropertyDescriptors === 'function') {
            return;
        }

        Object.defineProperty(Object, 'getOwnPropertyDescriptors', {
            value: function (o) {
                var keys = Reflect.ownKeys(Object(o)), out = {}, i, d;

                for (i = 0; i < keys.length; i++) {
                    d = Object.getOwnPropertyDescriptor(o, keys[i]);
                    if (d !== undefined) {
                        out[keys[i]] = d;
                    }
                }
                return out;
            },
            writable: true,
            configurable: true
        });
    }
}
];
