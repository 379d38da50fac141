// a body decoder's value, answered as it is: what a decoder accepts must
// come out as a JSON answer (depth, UTF-8)
module.exports = function (ctx) { return ctx.body; };
