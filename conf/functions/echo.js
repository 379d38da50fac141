// echoes what the function sees of the request
module.exports = function (ctx) {
    return {
        method: ctx.method,
        path: ctx.path,
        query: ctx.query,
        body: ctx.body,
        contentType: ctx.headers['content-type'] || null
    };
};
