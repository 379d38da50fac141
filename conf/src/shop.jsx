// GET /shop: a React page rendered on the server (React 18, JSX)
import { renderToString } from 'react-dom/server';
import { useState } from 'react';

const products = [
    { id: 1, name: 'Espresso cup', price: 7.5 },
    { id: 2, name: 'Tea pot', price: 39.9 },
];

function Product({ name, price }) {
    const [count] = useState(0);

    return (
        <li>
            {name}: {price.toFixed(2)} EUR <button>add ({count})</button>
        </li>
    );
}

function Shop({ title, items }) {
    return (
        <html lang="en">
            <head><title>{title}</title></head>
            <body>
                <h1>{title}</h1>
                <ul>{items.map((p) => <Product key={p.id} {...p} />)}</ul>
            </body>
        </html>
    );
}

export default function (ctx) {
    const title = `Shop for ${ctx.query.name ?? 'you'}`;

    return '<!doctype html>' + renderToString(<Shop title={title} items={products} />);
}
