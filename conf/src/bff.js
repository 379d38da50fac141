// a "backend for frontend": two backend calls in parallel, merged for a
// page. fetch() is an nginx subrequest: a path is a location of this
// server, an absolute URL only through faas_fetch_map (see nginx.conf);
// the worker serves other requests while this one waits
export default async function (ctx) {
    const id = Number(ctx.query.id ?? 1);

    const [user, orders] = await Promise.all([
        fetch(`/_api/user?id=${id}`).then((r) => r.json()),
        fetch(`http://backends.internal/orders?user=${id}`).then((r) => {
            if (!r.ok) {
                throw new Error(`orders: ${r.status} ${r.statusText}`);
            }
            return r.json();
        }),
    ]);

    return {
        user,
        orders,
        total: orders.reduce((sum, o) => sum + o.total, 0),
    };
}
