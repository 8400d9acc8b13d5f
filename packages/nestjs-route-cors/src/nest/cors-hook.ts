import { type CorsDecision, decideRequest } from '../core/index.js';
import { markAllowedByCors } from './csrf.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import { type ApplicationSecurityHeaders, type CorsHttpPlatform, type CorsRouter, requestPaths } from './cors-platform.js';
import type { CorsResponder } from './cors-responder.js';
import type { CorsRouteTable } from './cors-route-table.js';
import { holdUntilWritten, type NodeCorsRequest } from './node-request.js';

type Next = (error?: Error) => void;

/**
 * Applies the `@Cors()` policies to every request, before body parsing, Nest
 * middleware, guards and interceptors; CorsModule installs it on the HTTP
 * platform at start-up. A request reads one way: its facts, the decision
 * (`decideRequest`: the route table's policy for the handler that serves it,
 * or for a preflight the handler of the method it asks about, Fetch §4.8),
 * the headers written, then the preflight ended, the request refused, or
 * the request passed on.
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
    private readonly router: CorsRouter<R>,
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
    private readonly securityHeaders: ApplicationSecurityHeaders,
  ) {}

  handle(request: R, response: S, next: Next): void {
    // One snapshot for the whole request: a policy update swaps it, never half-way through a decision.
    const { index, chosen } = this.routes.lookup;
    const facts = this.platform.requestFacts(request, response);
    const decided = decideRequest(index, requestPaths(this.router, request, facts.url, index.hasPathRules), facts, chosen);
    if (decided === undefined) {
      return next();
    }
    // The sync/async split is written out: a shared helper taking the continuation as a
    // function measured +6,000 instructions per request (npm run bench:instructions).
    if (decided instanceof Promise) {
      decided.then((decision) => this.finish(decision, facts, response, next)).catch(next);
    } else {
      this.finish(decided, facts, response, next);
    }
  }

  private finish(decision: CorsDecision, facts: NodeCorsRequest<R, S>, response: S, next: Next): void {
    this.responder.apply(facts, decision);
    const resourcePolicy = decision.policy?.resourcePolicy;
    if (decision.blocks || decision.kind === 'preflight') {
      // An answer ended here never reaches the application's own hooks: it gets their security headers now.
      this.securityHeaders.setOn(facts.request, facts.serverResponse);
      if (resourcePolicy !== undefined) facts.response.setHeader('Cross-Origin-Resource-Policy', resourcePolicy);
    } else {
      holdUntilWritten(facts, decision.headers.map(([name]) => name), resourcePolicy);
      if (decision.allowed && decision.kind === 'actual' && decision.policy?.anyOrigin === false) {
        markAllowedByCors(facts.raw, facts, decision.policy.credentials);
      }
    }
    if (decision.blocks) {
      next(new CorsRejectedException());
    } else if (decision.kind === 'preflight') {
      this.platform.endPreflight(response);
    } else {
      next();
    }
  }
}
