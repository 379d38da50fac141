// an HTML page: a string answer is text/html
import escape from './lib/escape';

let requests = 0;               // module state lives as long as the worker

export default function (ctx) {
    requests++;

    const items = ['Duktape', 'nginx', 'CommonJS'].map((i) => `<li>${escape(i)}</li>`);

    return `<!doctype html><title>ngx_faas</title><h1>Hello from ${escape(ctx.path)}</h1>`
           + `<ul>${items.join('')}</ul><p>This worker has served ${requests} pages.</p>\n`;
}
