// what a function reads of a request, escaped through the native replace
// and answered as JSON. The replacement by a function (a JavaScript call
// per escaped byte) goes over ctx.url alone, which holds every byte of the
// request line as the client sent it; the string replacement over all of
// them: the same native code at a third of the calls.
module.exports = function (ctx) {
    var s = ctx.url + ctx.path + JSON.stringify(ctx.query);

    return {
        url: ctx.url,
        path: ctx.path,
        query: ctx.query,
        headers: ctx.headers,
        body: ctx.body,
        rawBody: ctx.rawBody,
        html: ctx.url.replace(/[&<>"']/g, function (c) {
            return '&#' + c.charCodeAt(0) + ';';
        }),
        text: s.replace(/[<>]/g, '')
    };
};
