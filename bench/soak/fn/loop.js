// an endless loop: Duktape's interrupt ends it at faas_timeout (504)
module.exports = function (ctx) {
    var n = 0;

    for (;;) {
        n++;
    }
};
