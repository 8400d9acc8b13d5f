/** `npm run cors:routes`: every route and every gateway with @Cors(), with its effective CORS policy. */
import { CorsGateways, CorsRouteTable, formatRouteTable } from 'nestjs-route-cors';
import { createAppContext } from './app-context.js';

const context = await createAppContext();
console.log(formatRouteTable(context.get(CorsRouteTable).reportRows()));
const gateways = context.get(CorsGateways).reportRows();
if (gateways.length > 0) {
  // The same two tables the service logs at start-up: routes, then gateways.
  console.log(`\n${formatRouteTable(gateways)}`);
}
await context.close();
