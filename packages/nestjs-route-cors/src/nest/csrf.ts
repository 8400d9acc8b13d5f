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
 * state-changing request trusted. A request that carries cookies is trusted
 * only where the policy allows credentials (as ASP.NET Core 11 does): an
 * origin allowed without credentials was never given the user's session, and
 * CSRF is the abuse of that session. Without cookies there is none to abuse.
 */
import type { IncomingMessage } from 'node:http';
import { stillAsDecided } from './node-request.js';

/** The method and request target a request was allowed with. */
interface Decided {
  readonly method: string;
  readonly url: string;
}

/** A decision as marked: the policy's credentials say whether a cookie-bearing request is trusted. */
interface Marked extends Decided {
  readonly credentialsAllowed: boolean;
}

/**
 * One registry per process, shared by every loaded copy of the package (a
 * CommonJS and an ES module copy can both be loaded): keyed by a global
 * symbol, not by a module's own variable.
 */
const REGISTRY = Symbol.for('nestjs-route-cors.allowed-by-cors.decided');

function sharedRegistry(): WeakMap<IncomingMessage, Marked> {
  const holder = globalThis as { [REGISTRY]?: WeakMap<IncomingMessage, Marked> };
  holder[REGISTRY] ??= new WeakMap<IncomingMessage, Marked>();
  return holder[REGISTRY];
}

const allowedRequests = sharedRegistry();

/**
 * Records that the route's policy allowed this request's origin, for the
 * method and target it was decided by, and whether the policy allows credentials.
 */
export function markAllowedByCors(request: IncomingMessage, { method, url }: Decided, credentialsAllowed: boolean): void {
  allowedRequests.set(request, { method, url, credentialsAllowed });
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
 * route without a policy and a public (`'*'`) policy, for a request that
 * carries cookies where the policy does not allow credentials, and for a
 * request whose method or path changed since (a method-override middleware:
 * the policy allowed the method it was sent with, not the one it now has).
 */
export function allowedByCors(request: unknown): boolean {
  const raw = nodeRequest(request);
  if (typeof raw !== 'object' || raw === null) return false;
  const message = raw as IncomingMessage;
  const decided = allowedRequests.get(message);
  if (decided === undefined || !stillAsDecided(message, decided)) return false;
  return decided.credentialsAllowed || message.headers.cookie === undefined;
}
