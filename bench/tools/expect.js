// Writes the expected page of a workload to stdout: the shared fn/NAME.js
// run by Node on its props (data/render.expected: fn/render.js on
// data/props.json; data/report.expected: fn/report.js on
// data/libs-props.json). Every peer, Node included, is checked against
// that file byte for byte.
//   node expect.js fn/NAME.js PROPS.json
'use strict';

var fs = require('fs');
var path = require('path');
var vm = require('vm');
var name = path.basename(process.argv[2], '.js');

vm.runInThisContext(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(globalThis[name](JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))));
