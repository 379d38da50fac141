// one call waiting on one backend (the 1,000-waiting-calls target)
module.exports = function (ctx) {
    return fetch('/_b/user?ms=' + (ctx.query.ms || '100'))
        .then(function (r) { return r.json(); });
};
