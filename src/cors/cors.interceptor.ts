import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { from, mergeMap, type Observable, throwError } from 'rxjs';
import type { CompiledCorsPolicy, CorsDecision } from './core/index.js';
import { CorsRejectedException } from './cors-rejected.exception.js';
import { CorsResponder } from './cors-responder.js';
import { CorsRouteTable } from './cors-route-table.js';

/**
 * Applies the handler's policy to actual (non-preflight) requests. Runs
 * before pipes and the handler, so validation errors and exceptions thrown by
 * the handler already carry the CORS headers when a filter writes them.
 */
@Injectable()
export class CorsInterceptor implements NestInterceptor {
  constructor(
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const policy = context.getType() === 'http' ? this.routes.policyForHandler(context.getHandler()) : undefined;
    if (!policy) {
      return next.handle();
    }
    const http = context.switchToHttp();
    const decision = this.responder.respond(http.getRequest<Request>(), http.getResponse<Response>(), policy);
    if (decision instanceof Promise) {
      return from(decision).pipe(mergeMap((settled) => this.proceed(settled, policy, next)));
    }
    return this.proceed(decision, policy, next);
  }

  private proceed(decision: CorsDecision, policy: CompiledCorsPolicy, next: CallHandler): Observable<unknown> {
    // A strict policy stops a refused cross-origin request before the handler's side effects.
    if (!decision.allowed && policy.strict) {
      return throwError(() => new CorsRejectedException());
    }
    return next.handle();
  }
}
