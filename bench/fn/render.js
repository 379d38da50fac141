// render: a product page built the way compiled templates (EJS, Handlebars,
// Preact's renderToString) build one: string += and regex-based escaping
// with a replace callback. ES5, shared by every JS runtime.
var ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
var ESCAPE_RE = /[&<>"']/g;

function escapeChar(c) {
    return ESCAPES[c];
}

function esc(s) {
    return String(s).replace(ESCAPE_RE, escapeChar);
}

function money(cents) {
    var c = cents % 100;
    return Math.floor(cents / 100) + '.' + (c < 10 ? '0' : '') + c;
}

function render(props) {
    var out = '';
    var products = props.products;
    var i, j, p;

    out += '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n';
    out += '<title>' + esc(props.title) + ' | ' + esc(props.shop) + '</title>\n';
    out += '<link rel="stylesheet" href="/static/shop.css">\n</head>\n<body>\n';
    out += '<header class="site-header">\n<a class="logo" href="/">' + esc(props.shop) + '</a>\n';
    out += '<span class="user">Signed in as <b>' + esc(props.user.name) + '</b></span>\n';
    out += '<a class="cart" href="/cart">Cart (' + props.user.cartItems + ')</a>\n</header>\n';
    out += '<main>\n<h1>' + esc(props.title) + '</h1>\n';
    out += '<p class="count">' + products.length + ' products</p>\n<ul class="products">\n';
    for (i = 0; i < products.length; i++) {
        p = products[i];
        out += '<li class="product' + (p.stock === 0 ? ' sold-out' : '') + '" id="product-' + esc(p.id) + '">\n';
        out += '<h2 class="product-name"><a href="/products/' + esc(p.id) + '">' + esc(p.name) + '</a></h2>\n';
        out += '<p class="product-price"><span class="currency">$</span>' + money(p.price) + '</p>\n';
        out += '<p class="product-description">' + esc(p.description) + '</p>\n';
        out += '<ul class="tags">';
        for (j = 0; j < p.tags.length; j++) {
            out += '<li class="tag">' + esc(p.tags[j]) + '</li>';
        }
        out += '</ul>\n';
        if (p.stock === 0) {
            out += '<p class="stock out">Sold out</p>\n';
        } else {
            out += '<p class="stock">' + p.stock + ' in stock</p>\n';
            out += '<button class="add-to-cart" data-id="' + esc(p.id) + '">Add to cart</button>\n';
        }
        out += '</li>\n';
    }
    out += '</ul>\n</main>\n<footer class="site-footer">&copy; ' + esc(props.shop) + '</footer>\n';
    out += '</body>\n</html>\n';
    return out;
}
