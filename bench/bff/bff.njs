// njs peer: ngx.fetch of both backends in parallel, merged
async function bff(r) {
    var ms = r.args.ms || '20';
    var res = await Promise.all([
        ngx.fetch('http://127.0.0.1:@BACKEND@/user?ms=' + ms),
        ngx.fetch('http://127.0.0.1:@BACKEND@/orders?ms=' + ms)]);
    var user = await res[0].json(), orders = await res[1].json();
    var total = 0;
    orders.forEach(function (o) { total += o.total; });
    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify({ user: user, orders: orders, total: total }));
}
export default { bff };
