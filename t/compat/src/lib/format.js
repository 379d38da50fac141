// shared by every page: modern syntax that faas-build lowers to ES5
export const money = (n, currency = 'EUR') => `${n.toFixed(2)} ${currency}`;

export const inStock = ({ stock }) => stock > 0;

// Set, Map, for-of and spread: polyfilled where the runtime lacks them
export function summary(products) {
    const tags = new Set();
    const byTag = new Map();
    let total = 0;

    for (const { price, tags: t } of products) {
        total += price;
        for (const tag of t) {
            tags.add(tag);
            byTag.set(tag, (byTag.get(tag) ?? 0) + 1);
        }
    }

    return {
        count: products.length,
        total,
        tags: [...tags].sort(),
        top: [...byTag.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '',
    };
}
