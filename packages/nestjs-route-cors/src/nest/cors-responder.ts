import { type HttpServer, Inject, Injectable, Logger } from '@nestjs/common';
import { appendVary, type CorsDecision } from '../core/cors-decision.js';
import { type CorsRejection, describeRejection, rejectionReasonHeaderValue } from '../core/rejections.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS, REJECTION_REASON_HEADER } from './cors.constants.js';
import type { CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';
import { ApplicationSecurityHeaders } from './cors-platform.js';
import { type CorsHeaderTarget, writeHeader } from './node-headers.js';
import { keepDecision, type NodeCorsRequest } from './node-request.js';

/** A request whose answer the responder writes: any platform's, or a gateway handshake. */
type AnsweredRequest = NodeCorsRequest<unknown, unknown>;

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** A failing tenant database fails every request: at most this many warnings per policy and failure per window. */
const WARNINGS_PER_WINDOW = 10;
const WARNING_WINDOW_MS = 10_000;

/**
 * Writes decisions on responses and reports refusals: the one way a decision
 * reaches the wire, on every platform and for every gateway handshake. Only
 * the decision says what an answer gets (`CorsDecision`); this writes it.
 */
@Injectable()
export class CorsResponder {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private readonly warnings = new Map<string, { windowStart: number; logged: number; suppressed: number }>();

  private securityHeaders: ApplicationSecurityHeaders | undefined;

  constructor(@Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions) {}

  /** The application's HTTP adapter: the security headers Nest will set on it are set on the answers ended here too. */
  captureSecurityHeaders(adapter: HttpServer): void {
    this.securityHeaders = new ApplicationSecurityHeaders(adapter);
  }

  /**
   * Writes an HTTP request's decision: its headers and `Vary`; on an answer
   * that ends here (a preflight, a refusal), which never reaches the
   * application's own hooks, their security headers with the policy's
   * `Cross-Origin-Resource-Policy` over them; on one that goes on, its
   * decision kept for the CSRF check and for when its head is written.
   * Reports a refusal.
   */
  answer(request: AnsweredRequest, decision: CorsDecision): void {
    this.write(request.response, decision);
    if (decision.ending === 'continue') {
      keepDecision(request, decision);
    } else {
      this.securityHeaders?.setOn(request.request, request.serverResponse);
      if (decision.resourcePolicy !== undefined)
        writeHeader(request.response, 'Cross-Origin-Resource-Policy', decision.resourcePolicy);
    }
    if (decision.rejection) {
      this.report(request, decision, decision.rejection);
    }
  }

  /**
   * Writes a gateway handshake's decision where it is sent: a polling
   * answer, or the 403 of a refused upgrade (which copies its headers); an
   * allowed upgrade gets nothing written on the answer that is never sent.
   * Reports a refusal.
   */
  answerHandshake(request: AnsweredRequest, decision: CorsDecision, sent: boolean): void {
    if (sent || !decision.allowed) this.write(request.response, decision);
    if (decision.rejection) {
      this.report(request, decision, decision.rejection);
    }
  }

  private write(res: CorsHeaderTarget, decision: CorsDecision): void {
    for (const [name, value] of decision.headers) {
      writeHeader(res, name, value);
    }
    const vary = appendVary(headerText(res.getHeader('Vary')), decision.vary);
    if (vary !== undefined) {
      writeHeader(res, 'Vary', vary);
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
      if (suppressed > 0)
        this.logger.warn(
          `${suppressed} more warnings like the next were left out in the last ${WARNING_WINDOW_MS / 1000} s`,
        );
    }
    if (window.logged < WARNINGS_PER_WINDOW) {
      window.logged += 1;
      this.logger.warn(line);
    } else {
      window.suppressed += 1;
    }
  }

  private report(exchange: AnsweredRequest, decision: CorsDecision, rejection: CorsRejection): void {
    const { kind, policy } = decision;
    const { onReject: hook } = this.options;
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
      method: exchange.method,
      path: exchange.path,
      origin: exchange.origin,
    };
    const res = exchange.response;
    if (exposed) {
      res.setHeader(REJECTION_REASON_HEADER, rejectionReasonHeaderValue(event.reason));
    }
    if (logged) {
      const requestId = exchange.requestId ?? '-';
      // A preflight is named by the method it asks about, the one the page's code uses (its own method is always OPTIONS).
      const method = kind === 'preflight' ? (exchange.requestMethod ?? event.method) : event.method;
      const line = `refused ${kind} ${method} ${event.path} request=${requestId} origin=${JSON.stringify(event.origin ?? null)}: ${event.reason}`;
      if (warned) this.warn(`${event.policy} ${rejection.code}`, line);
      else this.logger.debug(line);
    }
    if (hook === undefined) {
      return;
    }
    try {
      hook(event, exchange.request);
    } catch (error) {
      this.logger.error(`onReject hook failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
