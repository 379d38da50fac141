})(exports, function (id) { throw new Error('cannot find module "' + id + '"'); },
   module);

var fn = module.exports;

if (typeof fn !== 'function') {
    fn = typeof fn.main === 'function' ? fn.main : fn['default'];
}

function handler(r) {
    var out = fn({ method: r.method, path: r.uri, query: r.args,
                   headers: r.headersIn, body: JSON.parse(r.requestText) });

    r.headersOut['Content-Type'] = typeof out === 'string'
                                   ? 'text/html; charset=utf-8' : 'application/json';
    r.return(200, typeof out === 'string' ? out : JSON.stringify(out));
}

export default { handler: handler };
