// EJS: the template is ES5 (EJS turns it into a function at run time,
// and the runtime compiles that function as it is)
import ejs from 'ejs';

const page = ejs.compile(
    '<!doctype html><title><%= title %></title>\n' +
    '<h1><%= title %></h1>\n' +
    '<p>Hello, <%= user.name %><% if (user.admin) { %> (admin)<% } %></p>\n' +
    '<ul>\n' +
    '<% products.forEach(function (p, i) { -%>\n' +
    '  <li data-id="<%= p.id %>" class="<%= i % 2 ? "odd" : "even" %>"><%= p.name %>' +
    ' <%- "<b>" + p.price.toFixed(2) + "</b>" %> <%= currency %>\n' +
    '<% if (p.tags.length) { -%>\n' +
    '    <small><%= p.tags.join(" / ") %></small>\n' +
    '<% } -%>\n' +
    '  </li>\n' +
    '<% }); -%>\n' +
    '</ul>\n');

export default function (ctx) {
    return page(ctx.body);
}
