// an async handler as an ES5 transpiler writes it: a chain of Promises
function lookup(id) {
    return new Promise(function (resolve) {
        resolve({ id: id, name: 'item ' + id });
    });
}

exports.main = function (ctx) {
    var id = Number(ctx.query.id || 1);

    return lookup(id).then(function (item) {
        console.info('looked up', item);
        return new Response(JSON.stringify(item), {
            status: 200,
            headers: { 'Content-Type': 'application/json',
                       'Cache-Control': 'no-store' }
        });
    });
};
