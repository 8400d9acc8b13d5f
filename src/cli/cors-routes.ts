/** `npm run cors:routes`: every route and every gateway with @Cors(), with its effective CORS policy. */
import { CorsPolicies, formatRouteReport } from 'nestjs-route-cors';
import { createAppContext } from './app-context.js';

const context = await createAppContext();
// The same tables the service logs at start-up: routes, then gateways.
console.log(formatRouteReport(context.get(CorsPolicies).routeReport()));
await context.close();
