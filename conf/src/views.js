// GET /views?page=/home -> {"page":"/home","views":3}: a counter every
// worker shares (faas_shared views 1m in nginx.conf), exact under load
export default (ctx) => {
    const page = ctx.query.page ?? '/';
    const views = shared.views.incr(page);
    const last = shared.views.get('heartbeat');

    return { page, views, heartbeat: last ? last.at : null };
};
