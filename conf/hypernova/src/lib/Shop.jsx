// The React example of conf/src/shop.jsx as a component: its props come
// from the job's data instead of the query
import { useState } from 'react';

function Product({ name, price }) {
    const [count] = useState(0);

    return (
        <li>
            {name}: {price.toFixed(2)} EUR <button>add ({count})</button>
        </li>
    );
}

export function Shop({ title, items }) {
    return (
        <section>
            <h1>{title}</h1>
            <ul>{items.map((p) => <Product key={p.id} {...p} />)}</ul>
        </section>
    );
}
