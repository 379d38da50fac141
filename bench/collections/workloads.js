// The workloads of bench/collections/run.sh, run inside ngx_faas on the
// Map/Set/WeakMap/WeakSet they are given: the module's own, or core-js's.
// Each returns the best of ROUNDS runs in ms; the checksums make sure both
// implementations did the same work.

var N = 20000, ROUNDS = 5;

function now() {
    return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

function best(f) {
    var t, min = Infinity, check;
    for (var r = 0; r < ROUNDS; r++) {
        t = now();
        check = f();
        t = now() - t;
        if (t < min) { min = t; }
    }
    return { ms: Math.round(min * 100) / 100, check: check };
}

module.exports = function (Map, Set, WeakMap, WeakSet) {
    var i, strs = [], objs = [], pairs = [];
    for (i = 0; i < N; i++) {
        strs.push('key' + i);
        objs.push({ i: i });
        pairs.push([strs[i], i]);
    }

    function mapKeys(keys) {
        return function () {
            var m = new Map(), sum = 0, i;
            for (i = 0; i < N; i++) { m.set(keys[i], i); }
            for (i = 0; i < N; i++) { sum += m.get(keys[i]); }
            for (i = 0; i < N; i++) { if (m.has(keys[i])) { sum++; } }
            for (i = 0; i < N; i += 2) { m['delete'](keys[i]); }
            return sum + m.size;
        };
    }

    var nums = [];
    for (i = 0; i < N; i++) { nums.push(i * 7); }

    var full = new Map(pairs), fullSet = new Set(strs);

    return {
        'Map set/get/has/delete, number keys': best(mapKeys(nums)),
        'Map set/get/has/delete, string keys': best(mapKeys(strs)),
        'Map set/get/has/delete, object keys': best(mapKeys(objs)),
        'Set add/has/delete, strings': best(function () {
            var s = new Set(), n = 0, i;
            for (i = 0; i < N; i++) { s.add(strs[i]); s.add(strs[i]); }
            for (i = 0; i < N; i++) { if (s.has(strs[i])) { n++; } }
            for (i = 0; i < N; i += 2) { s['delete'](strs[i]); }
            return n + s.size;
        }),
        'new Map(pairs), new Set(array)': best(function () {
            return new Map(pairs).size + new Set(strs).size;
        }),
        'Map forEach': best(function () {
            var sum = 0;
            full.forEach(function (v) { sum += v; });
            return sum;
        }),
        'Map entries() with next()': best(function () {
            var sum = 0, it = full.entries(), x;
            for (x = it.next(); !x.done; x = it.next()) { sum += x.value[1]; }
            return sum;
        }),
        'Set values() with next()': best(function () {
            var n = 0, it = fullSet.values(), x;
            for (x = it.next(); !x.done; x = it.next()) { n += x.value.length; }
            return n;
        }),
        'WeakMap set/get/has': best(function () {
            var w = new WeakMap(), sum = 0, i;
            for (i = 0; i < N; i++) { w.set(objs[i], i); }
            for (i = 0; i < N; i++) { sum += w.get(objs[i]); }
            for (i = 0; i < N; i++) { if (w.has(objs[i])) { sum++; } }
            return sum;
        }),
        'WeakSet add/has': best(function () {
            var w = new WeakSet(), n = 0, i;
            for (i = 0; i < N; i++) { w.add(objs[i]); }
            for (i = 0; i < N; i++) { if (w.has(objs[i])) { n++; } }
            return n;
        })
    };
};
