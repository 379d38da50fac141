// an async handler: await works, the runtime supplies Promise
const lookup = async (id) => ({ id, name: `item ${id}` });

export default async function (ctx) {
    const item = await lookup(Number(ctx.query.id ?? 1));

    console.info('looked up', item);

    return new Response(JSON.stringify(item), {
        status: 200,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    });
}
