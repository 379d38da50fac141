// a server-side render without a framework: props in (JSON body), a page out
import escape from './lib/escape';

const product = ({ name, price, description = '', tags = [] }) =>
    `<article><h2>${escape(name)}</h2><p class="price">${Number(price).toFixed(2)}</p>`
    + `<p>${escape(description)}</p>`
    + `<ul>${tags.map((t) => `<li class="tag">${escape(t)}</li>`).join('')}</ul></article>`;

export default function (ctx) {
    const { title, products } = ctx.body ?? { title: 'Empty', products: [] };

    return `<!doctype html><html><head><title>${escape(title)}</title></head><body>`
           + `<h1>${escape(title)}</h1>${products.map(product).join('')}</body></html>\n`;
}
