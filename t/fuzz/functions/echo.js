// what a function reads of a request, escaped through the native replace
// and answered as JSON
module.exports = function (ctx) {
    var s = ctx.url + ctx.path + JSON.stringify(ctx.query);

    return {
        url: ctx.url,
        path: ctx.path,
        query: ctx.query,
        headers: ctx.headers,
        body: ctx.body,
        rawBody: ctx.rawBody,
        html: s.replace(/[&<>"']/g, function (c) {
            return '&#' + c.charCodeAt(0) + ';';
        }),
        text: s.replace(/[<>]/g, '')
    };
};
