
// ngx_faas / Node adapter (appended to fn/hello.js): a CommonJS function
module.exports = function (ctx) {
    return hello(ctx.query.name);
};
