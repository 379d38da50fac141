// Laf's shape: export default async function (ctx), in TypeScript
interface User {
    id: number;
    name: string;
    roles: string[];
}

interface Ctx {
    body: { id?: number };
}

const users = new Map<number, User>([
    [1, { id: 1, name: 'Ada', roles: ['admin', 'dev'] }],
    [2, { id: 2, name: 'Brendan', roles: ['dev'] }],
]);

const lookup = async (id: number): Promise<User | undefined> => {
    await null;
    return users.get(id);
};

export default async function (ctx: Ctx) {
    const id = ctx.body.id ?? 1;
    const user = await lookup(id);

    if (!user) {
        return { error: `no user ${id}` };
    }

    const { roles, ...rest } = user;

    return { ...rest, roles: [...roles].sort().reverse(), env: process.env.NODE_ENV };
}
