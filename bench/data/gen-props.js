// Writes the render workload's props (data/props.json) to stdout:
// 40 products, ~8 KB, always the same bytes (a fixed LCG, no Math.random).
'use strict';

var seed = 20240601;
function rnd(n) {                       // 0 .. n-1
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 2147483648 * n);
}
function pick(list) { return list[rnd(list.length)]; }

var adjectives = ['Classic', 'Modern', 'Rustic', 'Compact', 'Deluxe', 'Vintage',
                  'Eco', 'Smart', 'Handmade', 'Portable'];
var nouns = ['Teapot', 'Lamp', 'Backpack', 'Notebook', 'Kettle', 'Chair',
             'Blanket', 'Mug', 'Speaker', 'Planter', 'Clock', 'Knife'];
var words = ['crafted', 'from', 'durable', 'materials', 'with', 'a', 'finish',
             'that', 'lasts', 'for', 'years', 'ideal', 'gift', 'daily', 'use',
             'light', 'strong', 'simple', 'elegant', 'design', 'tested', 'by',
             'our', 'team', '&', '<b>bold</b>', '"quoted"', "it's", '5 > 3'];
var tags = ['home', 'kitchen', 'office', 'outdoor', 'gift', 'sale', 'new',
            'eco', 'travel', 'design'];

function sentence(n) {
    var s = [], i;
    for (i = 0; i < n; i++) { s.push(pick(words)); }
    return s.join(' ');
}

var products = [], i, j, t, ntags;
for (i = 0; i < 40; i++) {
    t = [];
    ntags = 2 + rnd(2);
    for (j = 0; j < ntags; j++) { t.push(pick(tags)); }
    products.push({
        id: 'p' + (1000 + i),
        name: pick(adjectives) + ' ' + pick(nouns) + ' ' + (i + 1),
        price: 199 + rnd(20000),
        stock: rnd(5) === 0 ? 0 : 1 + rnd(40),
        description: sentence(11 + rnd(8)),
        tags: t
    });
}

process.stdout.write(JSON.stringify({
    title: 'Autumn collection',
    shop: 'Mugs & Things',
    user: { name: 'Bob "the builder" O\'Neil', cartItems: 3 },
    products: products
}) + '\n');
