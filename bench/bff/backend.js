// the backends of the BFF bench: JSON after ?ms= milliseconds (a timer)
module.exports = function (ctx) {
    var ms = Number(ctx.query.ms || 0);
    var body = ctx.path === '/user'
        ? { id: 2, name: 'user 2' }
        : [{ id: 1, total: 12.5 }, { id: 2, total: 3 }];
    return new Promise(function (resolve) { setTimeout(resolve, ms, body); });
};
