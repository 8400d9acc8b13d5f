/**
 * CSRF protection that trusts what the route's CORS policy allows:
 *
 *   app.enableCsrfProtection({ exclude: allowedByCors });
 *
 * Nest 12.1's check (Fetch Metadata, Go's `CrossOriginProtection`) refuses
 * cross-origin state-changing requests unless their origin is listed
 * globally. The CORS hook runs before it (in the adapter's
 * request-hook slot on both platforms) and marks each request whose origin
 * the route's policy allowed; `allowedByCors` reads the mark. Public (`'*'`) policies mark nothing: public data does not make a
 * state-changing request trusted. A request that carries cookies is marked
 * only where the policy allows credentials (as ASP.NET Core 11 decides): an
 * origin allowed without credentials was never given the user's session,
 * and CSRF is the abuse of that session. The decision says which
 * (`CorsDecision.csrfExempt`).
 */
import type { IncomingMessage } from 'node:http';
import { decidedRequests, stillAsDecided } from './node-request.js';

const decided = decidedRequests();

/** Node's request behind a platform's request: Fastify's wraps it as `raw`, Express's is it. */
function nodeRequest(request: unknown): unknown {
  return typeof request === 'object' && request !== null && 'raw' in request ? request.raw : request;
}

/**
 * Whether the CORS hook allowed this request's origin under its route's
 * policy (controller route or gateway; exact, pattern and predicate origins
 * alike); for `enableCsrfProtection({ exclude })`, which calls it
 * synchronously with the platform's request. False for a refused origin, a
 * route without a policy and a public (`'*'`) policy, and for a request
 * whose method or path changed since (a method-override middleware: the
 * policy allowed the method it was sent with, not the one it now has).
 */
export function allowedByCors(request: unknown): boolean {
  const raw = nodeRequest(request);
  if (typeof raw !== 'object' || raw === null) return false;
  const kept = decided.get(raw as IncomingMessage);
  return kept?.decision?.csrfExempt === true && stillAsDecided(kept.raw, kept);
}
