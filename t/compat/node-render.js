// node-render.js BUNDLE PROPS.json [--time]: writes to stdout what the
// handler of a faas-build bundle answers in Node for a POST of PROPS.json,
// calling it the way ngx_faas does (a CommonJS module with no package
// require; the handler is module.exports, exports.main or exports.default).
// With --time: the median time of one call in microseconds instead, after
// a second of calls to let V8 optimise (calls in batches doubled until one
// takes 50 ms, the median batch of 7)
'use strict';

const fs = require('fs');
const path = require('path');

async function time(fn, ctx) {
    const batch = async (n) => {
        const t0 = process.hrtime.bigint();

        for (let i = 0; i < n; i++) {
            const r = fn(ctx);

            if (r && typeof r.then === 'function') {
                await r;
            }
        }
        return Number(process.hrtime.bigint() - t0) / 1e9 / n;
    };
    const t = [];
    const warm = process.hrtime.bigint() + 1000000000n;
    let n = 1;

    while (process.hrtime.bigint() < warm) {
        await batch(16);
    }
    while (await batch(n) * n < 0.05) {
        n *= 2;
    }
    for (let i = 0; i < 7; i++) {
        t.push(await batch(n));
    }
    t.sort((a, b) => a - b);

    return (t[3] * 1e6).toFixed(1);
}

async function main([file, propsFile, mode]) {
    const src = fs.readFileSync(file, 'utf8');
    const module = { exports: {} };
    const body = JSON.parse(fs.readFileSync(propsFile, 'utf8'));
    const req = (id) => { throw new Error(`cannot find module "${id}"`); };
    let fn;

    new Function('exports', 'require', 'module', '__filename', '__dirname', src)(
        module.exports, req, module, path.resolve(file), path.dirname(path.resolve(file)));

    fn = module.exports;
    if (typeof fn !== 'function') {
        fn = typeof fn.main === 'function' ? fn.main : fn.default;
    }

    const ctx = { method: 'POST', path: '/', query: {}, headers: {}, body };

    if (mode === '--time') {
        process.stdout.write(`${await time(fn, ctx)}\n`);
        return;
    }

    const out = await fn(ctx);

    process.stdout.write(typeof out === 'string' ? out : JSON.stringify(out));
}

main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
});
