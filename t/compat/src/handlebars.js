// handlebars: compiled once at module load, helpers, each/if/else
import Handlebars from 'handlebars';
import { money, summary } from './lib/format';

const hb = Handlebars.create();

hb.registerHelper('money', (n, currency) => money(n, currency));
hb.registerHelper('upper', (s) => String(s).toUpperCase());

const page = hb.compile(`<!doctype html><title>{{title}}</title>
<h1>{{upper title}}</h1>
{{#with user}}<p>Hello, {{name}}{{#if admin}} (admin){{/if}}</p>{{/with}}
<ol>
{{#each products}}
  <li class="{{#if @first}}first{{/if}}" data-id="{{id}}">{{@index}}. {{name}}: {{money price ../currency}}
  {{#each tags}}<span>{{this}}</span>{{else}}<span>no tags</span>{{/each}}
  {{#if description}}<p>{{description}}</p>{{/if}}</li>
{{/each}}
</ol>
<footer>{{summary.count}} products, {{summary.tags.length}} tags</footer>
`);

export default function (ctx) {
    return page({ ...ctx.body, summary: summary(ctx.body.products) });
}
