// an HTML page: a string answer is text/html
var escape = require('./lib/escape');
var requests = 0;               // module state lives as long as the worker

module.exports = function (ctx) {
    requests++;
    var items = ['Duktape', 'nginx', 'CommonJS'];
    var html = [];

    html.push('<!doctype html><title>ngx_faas</title><h1>Hello from ' +
              escape(ctx.path) + '</h1><ul>');
    for (var i = 0; i < items.length; i++) {
        html.push('<li>' + escape(items[i]) + '</li>');
    }
    html.push('</ul><p>This worker has served ' + requests +
              ' pages.</p>\n');

    return html.join('');
};
