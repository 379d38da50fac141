// n timers of 0 ms (?n=, 1 by default); answers once all have fired
module.exports = function (ctx) {
    var n = +(ctx.query.n || 1);
    return new Promise(function (resolve) {
        var left = n, i;
        function one() { if (--left === 0) { resolve('ok'); } }
        for (i = 0; i < n; i++) { setTimeout(one, 0); }
    });
};
