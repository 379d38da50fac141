module.exports = function () { return 'second'; };
