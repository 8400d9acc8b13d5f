import {
  type CompiledCorsPolicy,
  type CorsDecision,
  isPreflight,
  PREFLIGHT_VARY,
  type PreflightTarget,
  routeForRequest,
} from '../core/index.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import type { CorsExchange, CorsHttpPlatform } from './cors-platform.interface.js';
import type { CorsResponder } from './cors-responder.js';
import type { CorsRouteTable } from './cors-route-table.js';

type Next = (error?: Error) => void;

/**
 * Applies the `@Cors()` policies to every request, before body parsing, Nest
 * middleware, guards and interceptors; CorsModule installs it on the HTTP
 * platform at start-up. The policy is the one of the handler that serves the
 * request's method at its path (for a preflight, the method it asks about:
 * Fetch §4.8), looked up in the route table built from the metadata, with
 * the router's own rules: path, route order, host and version filters.
 *
 * Why not the Nest guard and interceptor this layer could have been:
 * - a guard only runs on a matched route (a `@Post()`-only path has no OPTIONS
 *   route, so its preflight would 404) and after the application's global
 *   guards (an auth guard would demand credentials browsers never send on a
 *   preflight);
 * - any global interceptor, even one that does nothing, costs Nest 12 about a
 *   quarter more instructions per request (RxJS and async-context machinery;
 *   measured with `npm run bench:instructions`), far above the cost of CORS.
 * Deciding first also means every later answer carries the CORS headers:
 * body-parser errors, guards' 401s, validation errors, handler exceptions.
 * A refusal goes to `next(error)`, i.e. to Nest's exception layer.
 */
export class CorsHook<R, S> {
  constructor(
    private readonly platform: CorsHttpPlatform<R, S>,
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
  ) {}

  handle(request: R, response: S, next: Next): void {
    // One lookup for the whole request: a policy update swaps it, never half-way through a decision.
    const { index, registered } = this.routes.lookup;
    const path = this.platform.routingPath(request);
    const entry = path === undefined ? undefined : index.lookup(path);
    // Paths where no route has a policy are not ours: no CORS headers, whatever Nest answers.
    if (entry === undefined || !entry.hasPolicy) {
      return next();
    }
    const exchange = this.platform.exchange(request, response);
    if (exchange.requestMethod !== undefined && isPreflight(exchange)) {
      return this.preflight(exchange, response, next, index.preflightTarget(entry, exchange.requestMethod, exchange));
    }
    // Where the router has already chosen (Fastify), its choice decides, unless Nest's host filter will turn the
    // request away inside the handler; otherwise the index finds what the router will choose.
    const chosen = this.platform.chosenRoute(request, registered);
    const route =
      chosen === undefined ? routeForRequest(entry, exchange.method, exchange) : chosen?.servesHost?.(exchange.hostname) === false ? null : chosen;
    if (route?.policy === undefined) {
      return next();
    }
    const policy = route.policy;
    const decided = this.responder.respond(exchange, policy);
    // Here and in preflight(), the sync/async split is written out: a shared helper taking the
    // continuation as a function measured +6,000 instructions per request (npm run bench:instructions).
    if (decided instanceof Promise) {
      decided.then((decision) => this.proceed(decision, policy, next)).catch(next);
    } else {
      this.proceed(decided, policy, next);
    }
  }

  private proceed(decision: CorsDecision, policy: CompiledCorsPolicy, next: Next): void {
    // A strict policy stops a refused cross-origin request before the handler's side effects.
    next(!decision.allowed && policy.strict ? new CorsRejectedException() : undefined);
  }

  private preflight(exchange: CorsExchange<R>, response: S, next: Next, target: PreflightTarget<CompiledCorsPolicy>): void {
    if (target.rejection) {
      this.responder.refuseWithoutPolicy(exchange, target.rejection, PREFLIGHT_VARY);
      return next(new CorsRejectedException());
    }
    const decided = this.responder.respond(exchange, target.policy);
    if (decided instanceof Promise) {
      decided.then((decision) => this.endPreflight(decision, response, next)).catch(next);
    } else {
      this.endPreflight(decided, response, next);
    }
  }

  private endPreflight(decision: CorsDecision, response: S, next: Next): void {
    if (!decision.allowed) {
      return next(new CorsRejectedException());
    }
    this.platform.endPreflight(response);
  }
}
