/**
 * CSRF protection that trusts what the route's CORS policy allows:
 *
 *   app.enableCsrfProtection({ exclude: allowedByCors });
 *
 * Nest 12.1's check (Fetch Metadata, Go's `CrossOriginProtection`) refuses
 * cross-origin state-changing requests unless their origin is listed
 * globally. The CORS hook runs before it on both platforms (the adapter's
 * first hook on Fastify, the first middleware on Express) and marks each
 * request whose origin the route's policy allowed; `allowedByCors` reads the
 * mark. Public (`'*'`) policies mark nothing: public data does not make a
 * state-changing request trusted.
 */
import type { IncomingMessage } from 'node:http';

/**
 * One registry per process, shared by every loaded copy of the package (a
 * CommonJS and an ES module copy can both be loaded): keyed by a global
 * symbol, not by a module's own variable.
 */
const REGISTRY = Symbol.for('nestjs-route-cors.allowed-by-cors');

function sharedRegistry(): WeakSet<IncomingMessage> {
  const holder = globalThis as { [REGISTRY]?: WeakSet<IncomingMessage> };
  holder[REGISTRY] ??= new WeakSet<IncomingMessage>();
  return holder[REGISTRY];
}

const allowedRequests = sharedRegistry();

/** Records that the route's policy allowed this request's origin. */
export function markAllowedByCors(request: IncomingMessage): void {
  allowedRequests.add(request);
}

/** Node's request behind a platform's request: Fastify's wraps it as `raw`, Express's is it. */
function nodeRequest(request: unknown): unknown {
  return typeof request === 'object' && request !== null && 'raw' in request ? request.raw : request;
}

/**
 * Whether the CORS hook allowed this request's origin under its route's
 * policy (controller route or gateway; exact, pattern and predicate origins
 * alike); for `enableCsrfProtection({ exclude })`, which calls it
 * synchronously with the platform's request. False for a refused origin, a
 * route without a policy and a public (`'*'`) policy.
 */
export function allowedByCors(request: unknown): boolean {
  const raw = nodeRequest(request);
  return typeof raw === 'object' && raw !== null && allowedRequests.has(raw as IncomingMessage);
}
