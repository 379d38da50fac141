// React 18 renderToStaticMarkup: no React attributes or comments
import { renderToStaticMarkup } from 'react-dom/server';
import { Page } from './lib/page-react';

export default function (ctx) {
    return '<!doctype html>' + renderToStaticMarkup(<Page {...ctx.body} />);
}
