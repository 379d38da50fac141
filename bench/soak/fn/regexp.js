// a catastrophic regular expression: stuck inside Duktape's C regexp
// engine, where faas_timeout cannot reach; only the render worker's
// watchdog ends it (the worker kills itself, 502 on the front)
module.exports = function (ctx) {
    return /^(a+)+$/.test(new Array(41).join('a') + '!');
};
