// component "Greeting": any function that returns HTML is a component
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export default function (ctx) {
    return `<p class="greeting">Hello, ${escape(ctx.body.data.name)}!</p>`;
}
