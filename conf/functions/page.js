// a server-side render: props in (JSON body), a whole HTML page out
var escape = require('./lib/escape');

function product(p) {
    var tags = [];
    for (var i = 0; i < (p.tags || []).length; i++) {
        tags.push('<li class="tag">' + escape(p.tags[i]) + '</li>');
    }
    return '<article><h2>' + escape(p.name) + '</h2>' +
           '<p class="price">' + Number(p.price).toFixed(2) + '</p>' +
           '<p>' + escape(p.description || '') + '</p>' +
           '<ul>' + tags.join('') + '</ul></article>';
}

module.exports = function (ctx) {
    var props = ctx.body || { title: 'Empty', products: [] };
    var html = ['<!doctype html><html><head><title>', escape(props.title),
                '</title></head><body><h1>', escape(props.title), '</h1>'];

    for (var i = 0; i < props.products.length; i++) {
        html.push(product(props.products[i]));
    }
    html.push('</body></html>\n');

    return html.join('');
};
