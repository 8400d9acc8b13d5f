import { type CorsDecision, decideRequest, NO_OTHER_READINGS } from '../core/cors-decision.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import { type CorsHttpPlatform, type CorsRouter, otherReadings } from './cors-platform.js';
import type { CorsResponder } from './cors-responder.js';
import type { CorsRouteTable } from './cors-route-table.js';
import type { NodeCorsRequest } from './node-request.js';

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
  ) {}

  handle(request: R, response: S, next: Next): void {
    // One snapshot for the whole request: a policy update swaps it, never half-way through a decision.
    const { index, chosen } = this.routes.lookup;
    const facts = this.platform.requestFacts(request, response);
    const routed = this.router.routingPath(request, facts.url);
    const others = index.hasPathRules ? otherReadings(this.router, facts.url, routed) : NO_OTHER_READINGS;
    const decided = decideRequest(index, routed, facts, chosen, others);
    if (decided === undefined) {
      // No policy covers the path: untouched, and reported only where someone reads it.
      if (facts.origin !== undefined && this.responder.reportsUncovered) this.responder.reportUncovered(facts);
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
    // The decision's ending, or in report-only mode `continue`.
    const ending = this.responder.answer(facts, decision);
    if (ending === 'refusal') {
      next(new CorsRejectedException());
    } else if (ending === 'preflight') {
      this.platform.endPreflight(response);
    } else {
      next();
    }
  }
}
