// report: a second render shape, unlike render.js: several passes over the
// data (group by tag into nested objects, sort, count, total), a .test()
// guard before each replace, toFixed on float prices and shares, rows
// built with += and the page with an array of parts joined at the end.
// Reads data/libs-props.json (70 products). ES5, shared by every JS runtime.
var REPORT_UNSAFE = /[&<>"']/;
var REPORT_UNSAFE_ALL = /[&<>"']/g;
var REPORT_ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function reportEntity(c) {
    return REPORT_ENTITIES[c];
}

function reportEsc(s) {
    s = String(s);
    if (!REPORT_UNSAFE.test(s)) {
        return s;
    }
    return s.replace(REPORT_UNSAFE_ALL, reportEntity);
}

function reportCmpItems(a, b) {
    return b.value - a.value || a.id - b.id;
}

function report(props) {
    var products = props.products, cur = reportEsc(props.currency);
    var groups = {}, order = [], tagCount = {}, tagNames = [];
    var totals = { count: 0, value: 0, stock: 0, soldOut: 0, described: 0 };
    var parts = [], i, j, k, p, g, key, item, items, row, max, desc, share;

    // pass 1: nested objects, one group per first tag
    for (i = 0; i < products.length; i++) {
        p = products[i];
        key = p.tags.length > 0 ? p.tags[0] : 'untagged';
        g = groups[key];
        if (g === undefined) {
            g = groups[key] = { name: key, items: [],
                                stats: { count: 0, stock: 0, value: 0, soldOut: 0 } };
            order.push(key);
        }
        item = { id: p.id, name: p.name, price: p.price, stock: p.stock,
                 value: p.price * p.stock, product: p };
        g.items.push(item);
        g.stats.count++;
        g.stats.stock += p.stock;
        g.stats.value += item.value;
        if (p.stock === 0) {
            g.stats.soldOut++;
        }
    }

    // pass 2: every tag counted, over all products
    for (i = 0; i < products.length; i++) {
        for (j = 0; j < products[i].tags.length; j++) {
            key = products[i].tags[j];
            if (tagCount[key] === undefined) {
                tagCount[key] = 0;
                tagNames.push(key);
            }
            tagCount[key]++;
        }
    }
    tagNames.sort(function (a, b) {
        return tagCount[b] - tagCount[a] || (a < b ? -1 : a > b ? 1 : 0);
    });

    // pass 3: groups by value, totals
    order.sort(function (a, b) {
        return groups[b].stats.value - groups[a].stats.value || (a < b ? -1 : 1);
    });
    for (i = 0; i < order.length; i++) {
        g = groups[order[i]];
        g.items.sort(reportCmpItems);
        totals.count += g.stats.count;
        totals.value += g.stats.value;
        totals.stock += g.stats.stock;
        totals.soldOut += g.stats.soldOut;
    }

    parts.push('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">');
    parts.push('<title>Stock report: ' + reportEsc(props.title) + '</title>\n</head>\n<body>');
    parts.push('<h1>' + reportEsc(props.title) + '</h1>');
    parts.push('<p class="by">Prepared for ' + reportEsc(props.user.name) +
               (props.user.admin ? ' <span class="admin">(admin)</span>' : '') + '</p>');

    // pass 4: a table per group, rows built with +=
    for (i = 0; i < order.length; i++) {
        g = groups[order[i]];
        items = g.items;
        parts.push('<section class="group" id="g-' + reportEsc(g.name) + '">');
        parts.push('<h2>' + reportEsc(g.name.toUpperCase()) + ' <small>' + g.stats.count +
                   ' items, ' + g.stats.value.toFixed(2) + ' ' + cur + '</small></h2>');
        parts.push('<table>\n<tr><th>#</th><th>product</th><th>price</th><th>stock</th>' +
                   '<th>value</th><th>share</th><th>notes</th></tr>');
        for (j = 0; j < items.length; j++) {
            item = items[j];
            share = g.stats.value > 0 ? item.value * 100 / g.stats.value : 0;
            row = '<tr class="' + (j % 2 === 0 ? 'even' : 'odd') +
                  (item.stock === 0 ? ' out' : '') + '">';
            row += '<td>' + (j + 1) + '</td>';
            row += '<td><a href="/p/' + item.id + '">' + reportEsc(item.name) + '</a></td>';
            row += '<td class="n">' + item.price.toFixed(2) + '</td>';
            row += '<td class="n">' + (item.stock === 0 ? '-' : item.stock) + '</td>';
            row += '<td class="n">' + item.value.toFixed(2) + '</td>';
            row += '<td class="n">' + share.toFixed(1) + '%</td>';
            desc = item.product.description;
            if (desc.length > 48) {
                desc = desc.slice(0, 45) + '...';
            }
            row += '<td>' + (desc === '' ? '<i>none</i>' : reportEsc(desc));
            for (k = 1; k < item.product.tags.length; k++) {
                row += ' <span class="tag">' + reportEsc(item.product.tags[k]) + '</span>';
            }
            row += '</td></tr>';
            parts.push(row);
            if (desc !== '') {
                totals.described++;
            }
        }
        parts.push('</table>\n<p class="sum">' + g.stats.stock + ' in stock, ' +
                   g.stats.soldOut + ' sold out, average ' +
                   (g.stats.value / g.stats.count).toFixed(2) + ' ' + cur + '</p>\n</section>');
    }

    // pass 5: the tag cloud and the summary
    max = tagNames.length > 0 ? tagCount[tagNames[0]] : 1;
    row = '<p class="cloud">';
    for (i = 0; i < tagNames.length; i++) {
        row += (i > 0 ? ' ' : '') + '<span style="font-size:' +
               (0.75 + tagCount[tagNames[i]] / max).toFixed(2) + 'em">' +
               reportEsc(tagNames[i]) + '</span>';
    }
    parts.push(row + '</p>');
    parts.push('<footer>' + totals.count + ' products in ' + order.length + ' groups, ' +
               totals.stock + ' in stock, ' + totals.soldOut + ' sold out (' +
               (totals.soldOut * 100 / totals.count).toFixed(1) + '%), ' +
               totals.described + ' described, total value ' +
               totals.value.toFixed(2) + ' ' + cur + '</footer>');
    parts.push('</body>\n</html>\n');
    return parts.join('\n');
}
