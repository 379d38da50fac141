// GET /hello?name=you -> {"message":"hello you"}
var greet = require('./lib/greet');

module.exports = function (ctx) {
    return { message: greet(ctx.env.greeting || 'hello', ctx.query.name) };
};
