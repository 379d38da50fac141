// a directory with an index file is one function: shop
import { renderToStaticMarkup } from 'react-dom/server';
import { Cart } from './cart';

export default function (ctx: { body: { skus: string[] } }) {
    const cart = new Cart();

    for (const sku of ctx.body.skus) {
        cart.add(sku);
    }

    return renderToStaticMarkup(
        <ul data-count={cart.count}>
            {[...cart].map(({ sku, qty }) => <li key={sku}>{`${sku} x${qty}`}</li>)}
        </ul>,
    );
}
