var n = 0;
module.exports = function () { return 'v2:' + (++n); };
