/** `npm run cors:routes`: every route, its methods and its effective CORS policy. */
import { CorsRouteTable, formatRouteTable } from 'nestjs-route-cors';
import { createAppContext } from './app-context.js';

const context = await createAppContext();
console.log(formatRouteTable(context.get(CorsRouteTable).reportRows()));
await context.close();
