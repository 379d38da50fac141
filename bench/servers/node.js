// Node peer: each function compiled once (require) and reused
//   node node.js FUNCTIONS_DIR PORT
'use strict';

var path = require('path');
var dir = process.argv[2];
var fns = {
    hello: require(path.resolve(dir, 'hello.js')),
    render: require(path.resolve(dir, 'render.js'))
};

require('./common').serve(+process.argv[3], function (name, ctx) {
    return fns[name](ctx);
});
