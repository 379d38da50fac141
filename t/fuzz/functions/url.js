// the parsers of the runtime a function hands client strings to: URL,
// URLSearchParams, atob and btoa (src/ngx_faas_url.c, ngx_faas_web.c)
module.exports = function (ctx) {
    var s = ctx.body === undefined ? '' : ctx.body, out = {}, u, p;

    try {
        u = new URL(s, 'http://user:pw@example.com:8080/a/b?c=d#e');
        out.url = [u.href, u.origin, u.protocol, u.username, u.password,
                   u.host, u.hostname, u.port, u.pathname, u.search, u.hash];
        u.searchParams.append(s, s);
        u.search = s;
        u.pathname = s;
        u.hash = s;
        out.set = u.href;
    } catch (e) {
        out.url = e.name;
    }

    try {
        out.absolute = new URL(s).href;
    } catch (e) {
        out.absolute = e.name;
    }

    p = new URLSearchParams(s);
    p.sort();
    out.params = [p.toString(), p.getAll(s), p.has('a')];
    p.set(s, s);
    p.delete('a');
    out.entries = [];
    p.forEach(function (v, k) { out.entries.push([k, v]); });

    try {
        out.atob = atob(s);
    } catch (e) {
        out.atob = e.name;
    }

    try {
        out.btoa = btoa(s);
    } catch (e) {
        out.btoa = e.name;
    }

    return out;
};
