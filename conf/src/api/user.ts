// GET /api/user?id=2: a TypeScript API handler in Laf's shape
interface User {
    id: number;
    name: string;
    roles: string[];
}

interface Ctx {
    query: Record<string, string | undefined>;
    env: Record<string, string>;
}

const users = new Map<number, User>([
    [1, { id: 1, name: 'Ada', roles: ['admin'] }],
    [2, { id: 2, name: 'Grace', roles: ['dev', 'ops'] }],
]);

async function find(id: number): Promise<User | undefined> {
    return users.get(id);       // a database or fetch() call would go here
}

export default async function (ctx: Ctx) {
    const id = Number(ctx.query.id ?? 1);
    const user = await find(id);

    if (user === undefined) {
        return Response.json({ error: `no user ${id}` }, { status: 404 });
    }

    return { ...user, region: ctx.env.region ?? 'local' };
}
