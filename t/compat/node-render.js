// node-render.js BUNDLE PROPS.json: writes to stdout what the handler of a
// faas-build bundle answers in Node for a POST of PROPS.json, calling it the
// way ngx_faas does (a CommonJS module with no package require; the
// handler is module.exports, exports.main or exports.default)
'use strict';

const fs = require('fs');
const path = require('path');

async function main([file, propsFile]) {
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

    const out = await fn({ method: 'POST', path: '/', query: {}, headers: {}, body });

    process.stdout.write(typeof out === 'string' ? out : JSON.stringify(out));
}

main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exit(1);
});
