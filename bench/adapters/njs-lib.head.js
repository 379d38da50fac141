// njs adapter (wrapped around a faas-build bundle by the Makefile): the
// bundle is CommonJS, run once at import as ngx_faas and Node run it; its
// handler then answers a POST of JSON as ngx_faas calls it (ctx.body)
var module = { exports: {} };
var exports = module.exports;

(function (exports, require, module) {
