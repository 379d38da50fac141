module.exports = function (ctx) { return { users: [] }; };
