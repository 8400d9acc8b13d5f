import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  appendVary,
  type Awaitable,
  type CompiledCorsPolicy,
  type CorsDecision,
  type CorsRequestFacts,
  type CorsRejection,
  decideCors,
  describeRejection,
  pathOf,
  routeForMethod,
} from './core/index.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';
import { CorsRouteTable } from './cors-route-table.js';

/**
 * Marks a request whose CORS answer is decided, so the error path leaves it
 * alone. A symbol property rather than a WeakSet: weak collections make
 * every garbage collection process one entry per live request.
 */
const DECIDED = Symbol('cors:decided');
type MarkedRequest = Request & { [DECIDED]?: true };

/** Runs `then` now when `value` is ready, after it settles otherwise. */
export function whenReady<T, R>(value: Awaitable<T>, then: (ready: T) => R): Awaitable<R> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/**
 * The facts the core decides on, read from an Express request. A class, so
 * that the lazy `selfOrigin` getter lives on the prototype: an object literal
 * with a getter costs V8 a new accessor pair per request (measured ~20× slower).
 */
class ExpressRequestFacts implements CorsRequestFacts {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;

  constructor(private readonly req: Request) {
    const headers = req.headers;
    this.method = req.method;
    this.origin = headers.origin;
    this.requestMethod = headers['access-control-request-method'];
    this.requestHeaders = headers['access-control-request-headers'];
  }

  /** `req.protocol` runs Express's trust-proxy logic: only refusals need it. */
  get selfOrigin(): string | undefined {
    const host = this.req.headers.host;
    return host === undefined ? undefined : `${this.req.protocol}://${host}`;
  }
}

export function requestFacts(req: Request): CorsRequestFacts {
  return new ExpressRequestFacts(req);
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Applies core decisions to Express responses and reports refusals. Shared by
 * the preflight middleware, the interceptor and the error path, so there is
 * one way a decision reaches the wire.
 */
@Injectable()
export class CorsResponder {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);

  constructor(
    private readonly routes: CorsRouteTable,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {}

  /** Decides `policy`'s answer to `req` and writes its headers on `res`. */
  respond(req: MarkedRequest, res: Response, policy: CompiledCorsPolicy): Awaitable<CorsDecision> {
    req[DECIDED] = true;
    const decision = decideCors(policy, requestFacts(req));
    return decision instanceof Promise
      ? decision.then((settled) => this.apply(req, res, settled, policy))
      : this.apply(req, res, decision, policy);
  }

  private apply(req: Request, res: Response, decision: CorsDecision, policy: CompiledCorsPolicy): CorsDecision {
    this.write(res, decision);
    if (decision.rejection) {
      this.report(req, res, decision.kind, decision.rejection, policy);
    }
    return decision;
  }

  /** Writes the `Vary` of a refusal that no policy decided, and reports it. */
  refuseWithoutPolicy(req: MarkedRequest, res: Response, rejection: CorsRejection, vary: readonly string[]): void {
    req[DECIDED] = true;
    this.write(res, { kind: 'preflight', allowed: false, rejection, headers: [], vary });
    this.report(req, res, 'preflight', rejection, undefined);
  }

  /**
   * Gives an error response the CORS headers of its route when the
   * interceptor never ran: body-parser errors (before routing) and
   * rejections by other guards (guards run before interceptors). Without
   * them the page could not read why its request failed.
   */
  respondToError(req: MarkedRequest, res: Response): Awaitable<void> {
    if (req[DECIDED] === true || res.headersSent) {
      return;
    }
    const entry = this.routes.routesAt(req.originalUrl);
    const route = entry && routeForMethod(entry, req.method);
    if (route?.served && route.policy) {
      return whenReady(this.respond(req, res, route.policy), () => undefined);
    }
  }

  private write(res: Response, decision: CorsDecision): void {
    for (const [name, value] of decision.headers) {
      res.setHeader(name, value);
    }
    const vary = appendVary(headerText(res.getHeader('Vary')), decision.vary);
    if (vary !== undefined) {
      res.setHeader('Vary', vary);
    }
  }

  private report(
    req: Request,
    res: Response,
    kind: CorsDecision['kind'],
    rejection: CorsRejection,
    policy: CompiledCorsPolicy | undefined,
  ): void {
    const event: CorsRejectionEvent = {
      kind,
      policy: policy?.name ?? '(none)',
      rejection,
      reason: describeRejection(rejection, policy),
      method: req.method,
      path: pathOf(req.originalUrl),
      origin: req.headers.origin,
    };
    const requestId = headerText(res.getHeader('X-Request-Id')) ?? '-';
    this.logger.debug(
      `refused ${kind} ${event.method} ${event.path} request=${requestId} origin=${JSON.stringify(event.origin ?? null)}: ${event.reason}`,
    );
    try {
      this.options.onReject?.(event, req);
    } catch (error) {
      this.logger.error(`onReject hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
