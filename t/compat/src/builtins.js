// the built-ins the bundles lean on, polyfilled where the runtime lacks
// them: the answer must be what Node's native ones give
function* count(n) {
    for (let i = 0; i < n; i++) {
        yield i;
    }
}

class Base {
    constructor(name) {
        this.name = name;
    }

    hello() {
        return `hello ${this.name}`;
    }
}

class Derived extends Base {
    static of(name) {
        return new Derived(name);
    }

    hello() {
        return `${super.hello()}!`;
    }
}

export default function (ctx) {
    const out = {};
    const m = new Map([[1, 'a'], ['1', 'b'], [NaN, 'nan']]);
    const key = {};
    const frozen = Object.freeze({});

    m.set(key, 'obj').set(-0, 'zero').set(frozen, 'frozen');
    out.map = [m.size, m.get(NaN), m.get(0), m.get(key), m.get(frozen), m.has('1'), m.get({})];
    out.mapOrder = [...m.keys()].map(String);

    // deleted while iterating: skipped; added while iterating: visited
    const seen = [];
    for (const [k] of m) {
        seen.push(String(k));
        if (k === 1) {
            m.delete('1');
            m.set('late', 1);
        }
    }
    out.iterate = seen;

    const s = new Set('hello');
    s.add(NaN).add(NaN).delete('l');
    out.set = [s.size, [...s].map(String), s.has(NaN), Array.from(s.entries()).length];

    const wm = new WeakMap();
    const ws = new WeakSet([key]);
    wm.set(key, 1).set(frozen, 2);
    out.weak = [wm.get(key), wm.get(frozen), wm.has({}), ws.has(key), ws.has(frozen),
                wm.delete(key), wm.has(key), JSON.stringify(key), Object.keys(key).length];

    out.array = [
        Array.from({ length: 3 }, (_, i) => i * 2),
        Array.from(count(3)),
        Array.of(7, 8),
        [1, NaN, 3].includes(NaN),
        [1, 2, 3].find((x) => x > 1),
        [1, 2, 3].findIndex((x) => x > 5),
        [1, [2, [3, [4]]]].flat(2),
        [1, 2].flatMap((x) => [x, x * 10]),
        new Array(3).fill(0, 1),
        [...'abc'].reverse().join(''),
        [...[10, 20].entries()],
    ];

    out.object = [
        Object.entries({ a: 1, b: [2] }),
        Object.values({ x: 'y' }),
        Object.fromEntries(new Map([['k', 'v']])),
        { ...{ a: 1 }, b: 2 },
    ];

    out.string = ['5'.padStart(3, '0'), 'ab'.padEnd(5, 'xy'), '  x  '.trimStart(), '  x  '.trimEnd(),
                  'abc'.includes('b'), 'abc'.startsWith('ab'), 'x'.repeat(3)];

    out.syntax = [
        Derived.of('class').hello(),
        [...count(4)].reduce((a, b) => a + b, 0),
        (({ a, ...rest }) => [a, rest])({ a: 1, b: 2, c: 3 }),
        ctx.body?.missing?.deep ?? 'nullish',
        2 ** 10,
        `template ${1 + 1}`,
        typeof Symbol.iterator,
    ];

    out.env = process.env.NODE_ENV;

    return JSON.stringify(out);
}
