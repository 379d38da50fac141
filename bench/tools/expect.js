// Writes the expected render page (data/render.expected) to stdout: the
// shared fn/render.js run by Node on data/props.json. Every peer, Node
// included, is checked against this file byte for byte.
//   node expect.js fn/render.js data/props.json
'use strict';

var fs = require('fs');
var vm = require('vm');

vm.runInThisContext(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(render(JSON.parse(fs.readFileSync(process.argv[3], 'utf8'))));
