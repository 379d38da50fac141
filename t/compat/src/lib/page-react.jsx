import { Component, createContext, useContext } from 'react';
import { money, inStock, summary } from './format';

const Currency = createContext('EUR');

function Price({ value }) {
    const currency = useContext(Currency);
    return <span className="price">{money(value, currency)}</span>;
}

class Product extends Component {
    static defaultProps = { highlight: false };

    render() {
        const { product: p, highlight } = this.props;

        return (
            <li className={highlight ? 'product hl' : 'product'} data-id={p.id}>
                <h2>{p.name}</h2>
                <Price value={p.price} />
                {inStock(p) ? <em>{p.stock} in stock</em> : <strong>sold out</strong>}
                {p.description && <p>{p.description}</p>}
                <ul className="tags">{p.tags.map((t) => <li key={t}>{t}</li>)}</ul>
            </li>
        );
    }
}

export function Page({ title, user, currency, products }) {
    const s = summary(products);

    return (
        <html lang="en">
            <head>
                <meta charSet="utf-8" />
                <title>{title}</title>
            </head>
            <body>
                <Currency.Provider value={currency}>
                    <header>
                        Hello, {user?.name ?? 'guest'}{user?.admin && ' (admin)'}
                    </header>
                    <ul>
                        {products.map((p, i) => (
                            <Product key={p.id} product={p} highlight={i === 0} />
                        ))}
                    </ul>
                    <footer>
                        {s.count} products, tags: {s.tags.join(', ')}, most used: {s.top}, total{' '}
                        <Price value={s.total} />
                    </footer>
                </Currency.Provider>
            </body>
        </html>
    );
}
