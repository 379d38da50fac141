
// njs adapter (appended to fn/hello.js + fn/render.js + fn/report.js): an
// ES module
function njsHello(r) {
    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify(hello(r.args.name)));
}

function njsRender(r) {
    r.headersOut['Content-Type'] = 'text/html; charset=utf-8';
    r.return(200, render(JSON.parse(r.requestText)));
}

function njsReport(r) {
    r.headersOut['Content-Type'] = 'text/html; charset=utf-8';
    r.return(200, report(JSON.parse(r.requestText)));
}

export default { hello: njsHello, render: njsRender, report: njsReport };
