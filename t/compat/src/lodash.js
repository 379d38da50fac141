// lodash template: the template text is ES5, lodash compiles it at run time
import template from 'lodash/template';
import escape from 'lodash/escape';
import groupBy from 'lodash/groupBy';
import sortBy from 'lodash/sortBy';

const page = template(
    '<!doctype html><title><%- title %></title>\n' +
    '<h1><%- title %></h1>\n' +
    '<p>Hello, <%- user.name %><% if (user.admin) { %> (admin)<% } %></p>\n' +
    '<% _.forEach(groups, function (items, key) { %>' +
    '<h2><%- key %></h2><ul>' +
    '<% _.forEach(items, function (p) { %>' +
    '<li data-id="<%= p.id %>"><%- p.name %>: <%= p.price.toFixed(2) %> <%- currency %>' +
    ' <%= p.tags.length ? p.tags.join(", ") : "-" %></li>' +
    '<% }); %></ul>\n<% }); %>' +
    '<p><%= raw %></p>\n',
    {
        imports: {
            _: {
                escape,
                forEach: (c, f) => (Array.isArray(c) ? c.forEach(f)
                                    : Object.keys(c).forEach((k) => f(c[k], k))),
            },
        },
    });

export default function (ctx) {
    const props = ctx.body;
    const sorted = sortBy(props.products, ['price']);

    return page({
        ...props,
        groups: groupBy(sorted, (p) => (p.stock > 0 ? 'in stock' : 'sold out')),
        raw: escape(props.products.map((p) => p.description).join(' | ')),
    });
}
