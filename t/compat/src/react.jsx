// React 18 renderToString: a whole page from the JSON body
import { renderToString } from 'react-dom/server';
import { Page } from './lib/page-react';

export default function (ctx) {
    return '<!doctype html>' + renderToString(<Page {...ctx.body} />);
}
