exports.main = function (ctx) { return 'item'; };
