import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import parseurl from 'parseurl';
import {
  type CompiledCorsPolicy,
  type CorsDecision,
  type CorsRequestFacts,
  isPreflight,
  PREFLIGHT_VARY,
  type PreflightTarget,
  routeForRequest,
} from '../core/index.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import { CorsResponder, requestFacts } from './cors-responder.js';
import { CorsRouteTable } from './cors-route-table.js';

/**
 * Applies the `@Cors()` policies to every request, before body parsing, Nest
 * middleware, guards and interceptors; CorsModule installs it on the HTTP
 * adapter at start-up. The policy is the one of the handler that serves the
 * request's method at its path (for a preflight, the method it asks about:
 * Fetch §4.8), looked up in the route table built from the metadata, with
 * the router's own rules: path (as `parseurl` gives it to Express's router),
 * route order, host and version filters.
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
 */
@Injectable()
export class CorsMiddleware implements NestMiddleware<Request, Response> {
  constructor(
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    // One index for the whole request: a policy update swaps it, never half-way through a decision.
    const index = this.routes.index;
    // parseurl caches its result on the request, where Express's router finds it again.
    const pathname = parseurl(req)?.pathname;
    const entry = pathname ? index.lookup(pathname) : undefined;
    // Paths where no route has a policy are not ours: no CORS headers, whatever Nest answers.
    if (entry === undefined || !entry.hasPolicy) {
      return next();
    }
    const facts = requestFacts(req);
    if (facts.requestMethod !== undefined && isPreflight(facts)) {
      return this.preflight(req, res, next, index.preflightTarget(entry, facts.requestMethod, facts), facts);
    }
    const route = routeForRequest(entry, req.method, facts);
    if (route?.policy === undefined) {
      return next();
    }
    const policy = route.policy;
    const decided = this.responder.respond(req, res, policy, facts);
    // Here and in preflight(), the sync/async split is written out: a shared helper taking the
    // continuation as a function measured +6,000 instructions per request (npm run bench:instructions).
    if (decided instanceof Promise) {
      decided.then((decision) => this.proceed(decision, policy, next), next);
    } else {
      this.proceed(decided, policy, next);
    }
  }

  private proceed(decision: CorsDecision, policy: CompiledCorsPolicy, next: NextFunction): void {
    // A strict policy stops a refused cross-origin request before the handler's side effects.
    next(!decision.allowed && policy.strict ? new CorsRejectedException() : undefined);
  }

  private preflight(
    req: Request,
    res: Response,
    next: NextFunction,
    target: PreflightTarget<CompiledCorsPolicy>,
    facts: CorsRequestFacts,
  ): void {
    if (target.rejection) {
      this.responder.refuseWithoutPolicy(req, res, target.rejection, PREFLIGHT_VARY);
      return next(new CorsRejectedException());
    }
    const decided = this.responder.respond(req, res, target.policy, facts);
    if (decided instanceof Promise) {
      decided.then((decision) => this.endPreflight(decision, res, next), next);
    } else {
      this.endPreflight(decided, res, next);
    }
  }

  private endPreflight(decision: CorsDecision, res: Response, next: NextFunction): void {
    if (!decision.allowed) {
      return next(new CorsRejectedException());
    }
    // 204 with an explicit empty body: some Safari versions wait for a body otherwise.
    res.statusCode = 204;
    res.setHeader('Content-Length', '0');
    res.end();
  }
}
