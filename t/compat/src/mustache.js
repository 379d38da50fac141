// mustache: logic-less template, sections and escaping
import Mustache from 'mustache';
import { money, inStock } from './lib/format';

const template = `<!doctype html><title>{{title}}</title>
<h1>{{title}}</h1>
<p>Hello, {{user.name}}{{#user.admin}} (admin){{/user.admin}}</p>
<ul>
{{#products}}
  <li data-id="{{id}}"><b>{{name}}</b> {{price}} {{#available}}<em>{{stock}} left</em>{{/available}}{{^available}}sold out{{/available}}
    {{#tags.length}}<ul>{{#tags}}<li>{{.}}</li>{{/tags}}</ul>{{/tags.length}}
    <p>{{{raw}}} / {{description}}</p></li>
{{/products}}
</ul>
`;

Mustache.parse(template);

export default function (ctx) {
    const { products, currency, ...rest } = ctx.body;

    return Mustache.render(template, {
        ...rest,
        products: products.map((p) => ({
            ...p,
            price: money(p.price, currency),
            available: inStock(p),
            raw: p.description,
        })),
    });
}
