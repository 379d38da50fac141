// Node peer: each function compiled once (require) and reused; every *.js
// of FUNCTIONS_DIR is a function, named by its file (hello.js -> /hello),
// as ngx_faas names them. A faas-build bundle may export its handler as
// module.exports, exports.main or exports.default, as ngx_faas accepts.
//   node node.js FUNCTIONS_DIR PORT
'use strict';

var fs = require('fs');
var path = require('path');
var dir = process.argv[2];
var fns = {};

fs.readdirSync(dir).forEach(function (f) {
    var m;

    if (!/^[a-z][a-z0-9-]*\.js$/.test(f)) {
        return;
    }
    m = require(path.resolve(dir, f));
    if (typeof m !== 'function') {
        m = typeof m.main === 'function' ? m.main : m['default'];
    }
    fns[f.slice(0, -3)] = m;
});

require('./common').serve(+process.argv[3], function (name, ctx) {
    return fns[name](ctx);
}, function (name) {
    return Object.prototype.hasOwnProperty.call(fns, name);
});
