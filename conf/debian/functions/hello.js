module.exports = function (ctx) {
    return { message: 'hello ' + (ctx.query.name || 'world') };
};
