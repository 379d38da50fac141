// the BFF: two backends in parallel, merged (ES5 as the heap runs it)
module.exports = function (ctx) {
    var ms = ctx.query.ms || '20';
    return Promise.all([fetch('/_b/user?ms=' + ms), fetch('/_b/orders?ms=' + ms)])
        .then(function (r) { return Promise.all([r[0].json(), r[1].json()]); })
        .then(function (v) {
            var total = 0;
            v[1].forEach(function (o) { total += o.total; });
            return { user: v[0], orders: v[1], total: total };
        });
};
