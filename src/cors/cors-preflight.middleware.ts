import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { isPreflight, PREFLIGHT_VARY, preflightTarget } from './core/index.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import { CorsResponder, requestFacts, whenReady } from './cors-responder.js';
import { CorsRouteTable } from './cors-route-table.js';

/**
 * Answers preflights from the `@Cors()` policies, before body parsing, Nest
 * middleware and every guard. It cannot be a Nest guard: Nest runs guards
 * only on a matched route (a `@Post()`-only path has no OPTIONS route, so the
 * preflight would 404) and only after the application's global guards (an
 * auth guard would demand credentials that browsers never send on a
 * preflight). So CorsModule installs it on the HTTP adapter at start-up, and
 * the route table it consults is built from the controllers' metadata.
 *
 * The policy is the one of the handler that serves the requested method at
 * the path (Fetch §4.8: the preflight asks about the actual request).
 */
@Injectable()
export class CorsPreflightMiddleware implements NestMiddleware<Request, Response> {
  constructor(
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
  ) {}

  use(req: Request, res: Response, next: NextFunction): void {
    if (req.method !== 'OPTIONS') {
      return next();
    }
    const facts = requestFacts(req);
    const entry = isPreflight(facts) ? this.routes.routesAt(req.url) : undefined;
    // Paths where no route has a policy are not ours: no CORS headers, whatever Nest answers.
    if (!entry?.hasPolicy || facts.requestMethod === undefined) {
      return next();
    }
    const target = preflightTarget(entry, facts.requestMethod);
    if (target.rejection) {
      this.responder.refuseWithoutPolicy(req, res, target.rejection, PREFLIGHT_VARY);
      return next(new CorsRejectedException());
    }
    const answered = whenReady(this.responder.respond(req, res, target.policy), (decision) => {
      if (!decision.allowed) {
        return next(new CorsRejectedException());
      }
      // 204 with an explicit empty body: some Safari versions wait for a body otherwise.
      res.statusCode = 204;
      res.setHeader('Content-Length', '0');
      res.end();
    });
    if (answered instanceof Promise) {
      answered.catch(next);
    }
  }
}
