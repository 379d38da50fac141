// node-call: the time of one call of a workload function in Node (V8),
// outside HTTP; the same method as duk-call.c.
//   node node-call.js SOURCE.js FUNCTION ARG.json
'use strict';

var fs = require('fs');
var vm = require('vm');
var src = process.argv[2], fn = process.argv[3];
var text = fs.readFileSync(process.argv[4], 'utf8');
var parse = fn === 'JSON.parse';
var f, arg, sink;

vm.runInThisContext(fs.readFileSync(src, 'utf8'), { filename: src });
f = parse ? null : globalThis[fn];
arg = parse ? null : JSON.parse(text);

function batch(n) {
    var t0 = process.hrtime.bigint(), i;
    for (i = 0; i < n; i++) {
        sink = parse ? JSON.parse(text) : f(arg);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
}

var n = 1, t = [], i;
while (batch(n) < 0.02) { n *= 2; }
for (i = 0; i < 7; i++) { t.push(batch(n) / n); }
t.sort(function (a, b) { return a - b; });
console.log((t[3] * 1e6).toFixed(2));
