// Writes the real-library workloads' props (data/libs-props.json) to
// stdout: bench's 40 products (data/props.json) and 30 variants in the shape the bundles of
// the compatibility suite read (t/compat/props.json: prices as numbers,
// a currency, user.admin, markdown notes for marked), always the same bytes.
'use strict';

var fs = require('fs');
var path = require('path');
var src = JSON.parse(fs.readFileSync(path.join(__dirname, 'props.json'), 'utf8'));
var notes = ['# Notes for *' + src.title + '*', '',
             'Opening hours changed: **9:00-18:00**, see ' +
             '[the shop](https://example.com/shop?a=1&b=2).', ''];
// 70 products: the 40, then the first 30 again as outlet items, so that
// React's page is about 20 KB
var base = src.products.concat(src.products.slice(0, 30).map(function (p, i) {
    return { name: p.name + ' (outlet)', price: Math.round(p.price * 0.8),
             stock: (p.stock + i) % 9, tags: p.tags.slice().reverse(),
             description: p.description };
}));
var products = base.map(function (p, i) {
    var tags = p.tags.filter(function (t, j) { return p.tags.indexOf(t) === j; });

    return {
        id: 1000 + i,
        name: p.name,
        price: p.price / 100,
        stock: p.stock,
        tags: tags,
        description: i % 7 === 3 ? '' : p.description
    };
});

products.forEach(function (p, i) {
    if (i % 4 === 0) {
        notes.push('## ' + p.name + (i % 8 === 0 ? ' <new>' : ''), '');
    }
    notes.push('- **' + p.name + '**: ' + (p.description || '_no description_') +
               (p.tags.length ? ' (`' + p.tags.join('`, `') + '`)' : ''));
    if (i % 4 === 3) {
        notes.push('');
    }
});
notes.push('', '| Product | Price | Stock |', '|:--------|------:|:-----:|');
products.forEach(function (p) {
    notes.push('| ' + p.name + ' | ' + p.price.toFixed(2) + ' | ' + p.stock + ' |');
});
notes.push('', '> Prices include VAT\n> and are in ' + 'EUR' + '.', '',
           '```js\nconst total = items.reduce((a, p) => a + p.price, 0);\n```', '',
           '1. one\n2. two', '');

process.stdout.write(JSON.stringify({
    title: src.title + ' & <news>',
    shop: src.shop,
    user: { name: src.user.name, admin: true, visits: src.user.cartItems },
    currency: 'EUR',
    products: products,
    notes: notes.join('\n')
}) + '\n');
