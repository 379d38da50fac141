// Node peer, the naive FaaS runtime: the function's source is compiled and
// run in a new context (vm.runInNewContext) on every request
//   node node-vm.js FUNCTIONS_DIR PORT
'use strict';

var fs = require('fs');
var path = require('path');
var vm = require('vm');
var dir = process.argv[2];
var sources = {
    hello: fs.readFileSync(path.resolve(dir, 'hello.js'), 'utf8'),
    render: fs.readFileSync(path.resolve(dir, 'render.js'), 'utf8')
};

require('./common').serve(+process.argv[3], function (name, ctx) {
    var module = { exports: {} };
    vm.runInNewContext(sources[name], { module: module, exports: module.exports },
                       { filename: name + '.js' });
    return module.exports(ctx);
}, function (name) {
    return Object.prototype.hasOwnProperty.call(sources, name);
});
