/*
 * The polyfills faas-build may put in front of a bundle: only what neither
 * Duktape 2.7 nor the module's built-ins (src/ngx_faas_builtins.c,
 * src/ngx_faas_collections.c: Map, Set, WeakMap, WeakSet, the iterators)
 * have, each behind a feature test, so a runtime that has the built-in
 * (Node, or the module once it provides it in C) keeps its own and the
 * code here never runs. Nothing here replaces a built-in that exists: that is what
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
