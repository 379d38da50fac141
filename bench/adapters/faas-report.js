
// ngx_faas / Node adapter (appended to fn/report.js): a CommonJS function
module.exports = function (ctx) {
    return report(ctx.body);
};
