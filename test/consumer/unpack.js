/** Jest global tear-down of `npm run test:consumer`: removes what pack.js made. */
export { removePack as default } from './pack.js';
