/**
 * `npm run cors:routes [-- --json]`: every route and every gateway with @Cors(), with its effective CORS policy;
 * `--json` prints it for `nestjs-route-cors verify --report`.
 */
import { parseArgs } from 'node:util';
import { CorsPolicies, formatRouteReport, routeReportJson } from 'nestjs-route-cors';
import { createAppContext } from './app-context.js';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } }, strict: true });
const context = await createAppContext();
const report = context.get(CorsPolicies).routeReport();
// The same tables the service logs at start-up: routes, then gateways.
console.log(values.json ? JSON.stringify(routeReportJson(report), null, 2) : formatRouteReport(report));
await context.close();
