// a module of the shop function: bundled into shop/index.js, not emitted
export class Cart {
    #items: { sku: string; qty: number }[] = [];

    add(sku: string, qty = 1): this {
        const found = this.#items.find((i) => i.sku === sku);

        if (found) {
            found.qty += qty;
        } else {
            this.#items.push({ sku, qty });
        }
        return this;
    }

    get count(): number {
        return this.#items.reduce((n, i) => n + i.qty, 0);
    }

    *[Symbol.iterator]() {
        yield* this.#items;
    }
}
