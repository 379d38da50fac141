// component "Shop": the React component, rendered by React's server renderer
import { renderReact } from './lib/hypernova';
import { Shop } from './lib/Shop';

export default renderReact(Shop);
