// A render entry for a React component, what hypernova-react's
// renderReact() is on a Hypernova server: the job's data are the props.
// faas_batch wraps the markup (the div, the script tag with the data), so
// the entry returns the component's markup only.
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

export function renderReact(Component) {
    return (ctx) => renderToString(createElement(Component, ctx.body.data));
}
