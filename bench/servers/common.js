// What both Node peers share: an http server on 127.0.0.1 that calls
// ngx_faas-style functions (module.exports = function (ctx)) with the
// same ctx and the same answer rules (string -> text/html, else JSON).
// serve(port, call, has): call(name, ctx) answers, has(name) says whether
// the function exists (404 otherwise).
'use strict';

var http = require('http');
var querystring = require('querystring');

exports.serve = function (port, call, has) {
    var server = http.createServer(function (req, res) {
        var chunks = [];
        req.on('data', function (c) { chunks.push(c); });
        req.on('end', function () {
            var q = req.url.indexOf('?');
            var path = q < 0 ? req.url : req.url.slice(0, q);
            var name = path.slice(1);
            var raw = Buffer.concat(chunks).toString();
            var type = req.headers['content-type'] || '';
            var ctx, out;

            if (!has(name)) {
                res.writeHead(404, { 'Content-Type': 'application/json' });
                res.end('{"error":"function not found"}');
                return;
            }
            ctx = {
                method: req.method,
                url: req.url,
                path: path,
                query: querystring.parse(q < 0 ? '' : req.url.slice(q + 1)),
                headers: req.headers,
                body: type.indexOf('application/json') === 0 ? JSON.parse(raw)
                                                              : (raw === '' ? undefined : raw),
                rawBody: raw
            };
            try {
                out = call(name, ctx);
            } catch (e) {
                res.writeHead(500, { 'Content-Type': 'application/json' });
                res.end('{"error":"function failed"}');
                console.error(e);
                return;
            }
            if (typeof out === 'string') {
                res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
                res.end(out);
            } else {
                res.writeHead(200, { 'Content-Type': 'application/json' });
                res.end(JSON.stringify(out));
            }
        });
    });
    server.keepAliveTimeout = 60000;
    server.listen(port, '127.0.0.1');
};
