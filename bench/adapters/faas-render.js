
// ngx_faas / Node adapter (appended to fn/render.js): a CommonJS function
module.exports = function (ctx) {
    return render(ctx.body);
};
