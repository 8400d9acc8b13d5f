import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import parseurl from 'parseurl';
import {
  appendVary,
  type Awaitable,
  type CompiledCorsPolicy,
  type CorsDecision,
  type CorsRequestFacts,
  type CorsRejection,
  decideCors,
  describeRejection,
  rejectionReasonHeaderValue,
  type RoutedRequest,
} from '../core/index.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS, REJECTION_REASON_HEADER } from './cors.constants.js';
import type { CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';

/**
 * The facts the core decides on and routes by, read from an Express request.
 * A class, so that the lazy getters live on the prototype: an object literal
 * with a getter costs V8 a new accessor pair per request (measured ~20× slower).
 */
class ExpressRequestFacts implements CorsRequestFacts, RoutedRequest<Request> {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;

  constructor(readonly request: Request) {
    const headers = request.headers;
    this.method = request.method;
    this.origin = headers.origin;
    this.requestMethod = headers['access-control-request-method'];
    this.requestHeaders = headers['access-control-request-headers'];
  }

  /** `req.protocol` runs Express's trust-proxy logic: only refusals need it. */
  get selfOrigin(): string | undefined {
    const host = this.request.headers.host;
    return host === undefined ? undefined : `${this.request.protocol}://${host}`;
  }

  /** What Nest's host filter reads (`getRequestHostname`); only host-bound routes need it. */
  get hostname(): string {
    return this.request.hostname ?? '';
  }
}

export function requestFacts(req: Request): CorsRequestFacts & RoutedRequest<Request> {
  return new ExpressRequestFacts(req);
}

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Applies core decisions to Express responses and reports refusals: the one
 * way a decision reaches the wire.
 */
/** A failing tenant database fails every request: at most this many warnings per policy and failure per window. */
const WARNINGS_PER_WINDOW = 10;
const WARNING_WINDOW_MS = 10_000;

@Injectable()
export class CorsResponder {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private readonly warnings = new Map<string, { windowStart: number; logged: number; suppressed: number }>();

  constructor(@Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions) {}

  /** Decides `policy`'s answer to the request `facts` describe and writes its headers on `res`. */
  respond(req: Request, res: Response, policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
    const decision = decideCors(policy, facts);
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
  refuseWithoutPolicy(req: Request, res: Response, rejection: CorsRejection, vary: readonly string[]): void {
    this.write(res, { kind: 'preflight', allowed: false, rejection, headers: [], vary });
    this.report(req, res, 'preflight', rejection, undefined);
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

  /** Logs a warning unless `kind` has had its share of this window; says how many were left out. */
  private warn(kind: string, line: string): void {
    const now = Date.now();
    let window = this.warnings.get(kind);
    if (window === undefined || now - window.windowStart >= WARNING_WINDOW_MS) {
      const suppressed = window?.suppressed ?? 0;
      window = { windowStart: now, logged: 0, suppressed: 0 };
      this.warnings.set(kind, window);
      if (suppressed > 0) this.logger.warn(`${suppressed} more warnings like the next were left out in the last ${WARNING_WINDOW_MS / 1000} s`);
    }
    if (window.logged < WARNINGS_PER_WINDOW) {
      window.logged += 1;
      this.logger.warn(line);
    } else {
      window.suppressed += 1;
    }
  }

  private report(
    req: Request,
    res: Response,
    kind: CorsDecision['kind'],
    rejection: CorsRejection,
    policy: CompiledCorsPolicy | undefined,
  ): void {
    const hook = this.options.onReject;
    // A predicate that fails or hangs is the application's problem to see, whatever the log level.
    const warned = rejection.code === 'origin-predicate-failed' || rejection.code === 'origin-predicate-timeout';
    const logged = warned || Logger.isLevelEnabled('debug');
    const exposed = this.options.exposeRejectionReason === true;
    // With nobody listening, a refusal costs what an allowed request costs: no sentence is built.
    if (hook === undefined && !logged && !exposed) {
      return;
    }
    const event: CorsRejectionEvent = {
      kind,
      policy: policy?.name ?? '(none)',
      rejection,
      reason: describeRejection(rejection, policy),
      method: req.method,
      path: parseurl.original(req)?.pathname ?? req.originalUrl,
      origin: req.headers.origin,
    };
    if (exposed) {
      res.setHeader(REJECTION_REASON_HEADER, rejectionReasonHeaderValue(event.reason));
    }
    if (logged) {
      const requestId = headerText(res.getHeader('X-Request-Id')) ?? '-';
      const line = `refused ${kind} ${event.method} ${event.path} request=${requestId} origin=${JSON.stringify(event.origin ?? null)}: ${event.reason}`;
      if (warned) this.warn(`${event.policy} ${rejection.code}`, line);
      else this.logger.debug(line);
    }
    if (hook === undefined) {
      return;
    }
    try {
      hook(event, req);
    } catch (error) {
      this.logger.error(`onReject hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
