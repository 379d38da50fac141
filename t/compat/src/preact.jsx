/** @jsxImportSource preact */
// Preact with preact-render-to-string
import { render } from 'preact-render-to-string';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { money, inStock, summary } from './lib/format';

function Product({ product: p, currency }) {
    const [open] = useState(inStock(p));

    return (
        <li class={open ? 'product' : 'product out'} data-id={p.id}>
            <h2>{p.name}</h2>
            <span class="price">{money(p.price, currency)}</span>
            {p.tags.length > 0 && (
                <>
                    {p.tags.map((t) => <i key={t}>{t}</i>)}
                </>
            )}
            <p>{p.description || '-'}</p>
        </li>
    );
}

function Page({ title, user, currency, products }) {
    const s = summary(products);

    return (
        <Fragment>
            <h1>{title}</h1>
            <p>Hello, {user.name}</p>
            <ul>
                {products.map((p) => <Product key={p.id} product={p} currency={currency} />)}
            </ul>
            <footer>
                {s.count} products, most used tag: {s.top}, total {money(s.total, currency)}
            </footer>
        </Fragment>
    );
}

export default function (ctx) {
    return '<!doctype html>' + render(<Page {...ctx.body} />);
}
