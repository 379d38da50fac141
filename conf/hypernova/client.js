// What a web application does with Hypernova: one batch for the views of a
// page, rendered by faas_batch; a view that fails is rendered in the
// browser instead (hypernova-client's fallback markup).
//
//   NODE_PATH=t/hypernova/node_modules node conf/hypernova/client.js URL

'use strict';

const Renderer = require('hypernova-client');

const url = process.argv[2] || 'http://127.0.0.1:8080/batch';
const renderer = new Renderer({ url });

renderer.render({
    Shop: {
        title: 'Shop for you',
        items: [
            { id: 1, name: 'Espresso cup', price: 7.5 },
            { id: 2, name: 'Tea pot', price: 39.9 },
        ],
    },
    Greeting: { name: 'Ann & <Bob>' },
}).then((html) => {
    process.stdout.write(`${html}\n`);
});
