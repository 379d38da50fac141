// n fetches of one backend in parallel, their bodies' lengths summed: the
// CPU a fetch costs is the slope of the worker's CPU per request over n
module.exports = function (ctx) {
    var n = Number(ctx.query.n || 1), all = [], i;
    for (i = 0; i < n; i++) {
        all.push(fetch('/_b/user?ms=0').then(function (r) { return r.text(); }));
    }
    return Promise.all(all).then(function (bodies) {
        var len = 0;
        for (i = 0; i < bodies.length; i++) { len += bodies[i].length; }
        return String(len);
    });
};
