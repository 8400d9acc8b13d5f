import { channel } from 'node:diagnostics_channel';
import { type HttpServer, Inject, Injectable, Logger } from '@nestjs/common';
import { appendVary, type CorsDecision, type CorsEnding, decideUncovered } from '../core/cors-decision.js';
import {
  type CorsAnswerSummary,
  type CorsDecisionEvent,
  type CorsDisagreement,
  type CorsEventKind,
  DECISION_CHANNEL,
  disagreementOf,
  originClassOf,
  outcomeOf,
} from '../core/decision-events.js';
import type { CorsMode } from '../core/policy.js';
import { type CorsRejection, describeRejection, printedPath, rejectionReasonHeaderValue } from '../core/rejections.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS, REJECTION_REASON_HEADER } from './cors.constants.js';
import type { CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';
import { ApplicationSecurityHeaders } from './cors-platform.js';
import { type CorsHeaderTarget, writeHeader } from './node-headers.js';
import { keepDecision, type NodeCorsRequest, whenHeadWritten } from './node-request.js';
import { DEFAULT_REJECTION_LOG_INTERVAL_MS, RateLimitedLog } from './rate-limited-log.js';

/** A request whose answer the responder writes: any platform's, or a gateway handshake. */
type AnsweredRequest = NodeCorsRequest<unknown, unknown>;

function headerText(value: number | string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Where decisions are published; `hasSubscribers` keeps publishing free while no one listens. */
const decisionChannel = channel(DECISION_CHANNEL);

/** What a report-only handshake is let through with: nothing written, nothing refused. */
const UNENFORCED: CorsDecision = Object.freeze({
  kind: 'not-cors',
  allowed: true,
  rejection: undefined,
  policy: undefined,
  headers: [],
  vary: [],
  resourcePolicy: undefined,
  csrfExempt: false,
  ending: 'continue',
});

/**
 * An answer's CORS headers for a log line, each value quoted: the other
 * layer's may reflect what the request sent, which must not read as more
 * of the sentence.
 */
function summary({ allowOrigin, allowCredentials, allowMethods, allowHeaders }: CorsAnswerSummary): string {
  const quoted = (value: string | undefined): string => (value === undefined ? '(none)' : JSON.stringify(value));
  const parts = [`Allow-Origin ${quoted(allowOrigin)}`];
  if (allowCredentials !== undefined) parts.push(`Allow-Credentials ${quoted(allowCredentials)}`);
  if (allowMethods !== undefined) parts.push(`Allow-Methods ${quoted(allowMethods)}`);
  if (allowHeaders !== undefined) parts.push(`Allow-Headers ${quoted(allowHeaders)}`);
  return parts.join(', ');
}

/**
 * Writes decisions on responses and reports refusals: the one way a decision
 * reaches the wire, on every platform and for every gateway handshake. Only
 * the decision says what an answer gets (`CorsDecision`); this writes it.
 */
@Injectable()
export class CorsResponder {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  /** The refusal and disagreement lines, per policy and code. */
  private readonly lines: RateLimitedLog;
  /** The module's mode, which a policy without its own follows. */
  private readonly mode: CorsMode;
  private routeOf: (request: AnsweredRequest) => string | undefined = () => undefined;

  private securityHeaders: ApplicationSecurityHeaders | undefined;

  constructor(@Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions) {
    this.lines = new RateLimitedLog(options.rejectionLog?.interval ?? DEFAULT_REJECTION_LOG_INTERVAL_MS);
    this.mode = options.mode ?? 'enforce';
  }

  /** How the decision events of HTTP requests name their route (the route table's lookup); read only for a listener. */
  describeRoutesWith(routeOf: (request: AnsweredRequest) => string | undefined): void {
    this.routeOf = routeOf;
  }

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
   * Reports a refusal. Returns how the answer ends here: the decision's, or
   * in report-only mode `continue`, with nothing written and the answer
   * compared when its head is.
   */
  answer(request: AnsweredRequest, decision: CorsDecision): CorsEnding {
    const mode = decision.policy?.mode ?? this.mode;
    if (mode === 'report-only') {
      this.compareWhenWritten(request, decision);
      return 'continue';
    }
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
    if (decisionChannel.hasSubscribers) this.publish(request, decision, mode);
    return decision.ending;
  }

  /** Whether a request on a path no policy covers is reported: in report-only mode, or while someone listens for events. */
  get reportsUncovered(): boolean {
    return this.mode === 'report-only' || decisionChannel.hasSubscribers;
  }

  /**
   * A request with `Origin` on a path no policy covers gets no CORS header
   * (deny by default), and nothing is written on it. A cross-origin one is
   * reported as refused (`no-policy`): one decision event, and in
   * report-only mode compared with what the answer sent, where a route left
   * out of the policies shows as a disagreement before enforce breaks it.
   */
  reportUncovered(request: AnsweredRequest): void {
    const decision = decideUncovered(request);
    if (decision.kind === 'not-cors') return;
    if (this.mode === 'report-only') this.compareWhenWritten(request, decision);
    else if (decisionChannel.hasSubscribers) this.publish(request, decision, this.mode);
  }

  /**
   * Writes a gateway handshake's decision where it is sent: a polling
   * answer, or the 403 of a refused upgrade (which copies its headers); an
   * allowed upgrade gets nothing written on the answer that is never sent.
   * Reports a refusal. Returns the decision the handshake gets: this one,
   * or in report-only mode one that writes and refuses nothing.
   */
  answerHandshake(request: AnsweredRequest, decision: CorsDecision, sent: boolean, route?: string): CorsDecision {
    const mode = decision.policy?.mode ?? this.mode;
    if (decisionChannel.hasSubscribers) this.publish(request, decision, mode, 'handshake', route);
    if (mode === 'report-only') return UNENFORCED;
    if (sent || !decision.allowed) this.write(request.response, decision);
    if (decision.rejection) {
      this.report(request, decision, decision.rejection);
    }
    return decision;
  }

  /** One decision event on `nestjs-route-cors:decision`; only called while someone listens. */
  private publish(
    request: AnsweredRequest,
    decision: CorsDecision,
    mode: CorsMode,
    kind: CorsEventKind = decision.kind === 'preflight' ? 'preflight' : 'actual',
    route = this.routeOf(request),
    disagreement?: CorsDisagreement,
  ): void {
    const event: CorsDecisionEvent = {
      kind,
      outcome: outcomeOf(decision),
      mode,
      policy: decision.policy?.name ?? '(none)',
      code: decision.rejection?.code,
      route,
      originClass: originClassOf(request, decision),
      ...(disagreement === undefined ? {} : { disagreement }),
    };
    decisionChannel.publish(event);
  }

  /**
   * Report-only: once the answer's head is written (by whichever layer
   * answers), its CORS headers against the decision's; one decision event,
   * with the disagreement if they differ, and a log line for it. A request
   * that is not CORS has nothing to compare: its event goes out now.
   */
  private compareWhenWritten(request: AnsweredRequest, decision: CorsDecision): void {
    if (decision.kind === 'not-cors') {
      if (decisionChannel.hasSubscribers) this.publish(request, decision, 'report-only');
      return;
    }
    whenHeadWritten(request, (sent) => {
      const disagreement = disagreementOf(request, decision, sent);
      if (disagreement !== undefined) this.logDisagreement(request, decision, disagreement);
      if (decisionChannel.hasSubscribers)
        this.publish(request, decision, 'report-only', undefined, undefined, disagreement);
    });
  }

  /**
   * One warning per policy (per route where no policy covers the path, so
   * that requests for paths nothing serves cannot hide a route left out)
   * every `rejectionLog.interval`.
   */
  private logDisagreement(request: AnsweredRequest, decision: CorsDecision, { policy, sent }: CorsDisagreement): void {
    const { rejection } = decision;
    const uncovered = rejection?.code === 'no-policy';
    const route = uncovered ? this.routeOf(request) : undefined;
    const key = uncovered ? `no-policy ${route ?? '(no route)'}` : `${decision.policy?.name ?? '(none)'} disagreement`;
    const verdict = (allowed: boolean): string => (allowed ? 'allows' : 'refuses');
    const admitted = this.lines.admit(key, () => {
      const sentLine = `the answer sent ${verdict(sent.allowed)} it: sent ${summary(sent)}`;
      if (uncovered) {
        const where = route === undefined ? ' (no Nest route at that path)' : '';
        const reason = `${describeRejection(rejection, undefined)}${where}`;
        return `report-only: ${decision.kind} ${this.requester(request)}: ${reason}; ${sentLine}`;
      }
      const deciding = decision.policy === undefined ? 'no policy' : `policy '${decision.policy.name}'`;
      return (
        `report-only: ${deciding} ${verdict(policy.allowed)} ${this.requestLine(request, decision)}, ` +
        `${sentLine}; the policy would send ${summary(policy)}`
      );
    });
    if (admitted !== undefined) this.logger.warn(admitted);
  }

  /** `preflight PUT /items request=… origin="…"`: a preflight named by the method it asks about, the one the page's code uses. */
  private requestLine(request: AnsweredRequest, { kind }: CorsDecision): string {
    const method = kind === 'preflight' ? (request.requestMethod ?? request.method) : request.method;
    return `${kind} ${method} ${printedPath(request.path)} ${this.requester(request)}`;
  }

  /** `request=… origin="…"`: the request's id and its origin, quoted. */
  private requester(request: AnsweredRequest): string {
    return `request=${request.requestId ?? '-'} origin=${JSON.stringify(request.origin ?? null)}`;
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
      // One line per policy and code per interval: a refused origin hammering an endpoint does not flood the log.
      const line = this.lines.admit(
        `${event.policy} ${rejection.code}`,
        () => `refused ${this.requestLine(exchange, decision)}: ${event.reason}`,
      );
      if (line !== undefined && warned) this.logger.warn(line);
      else if (line !== undefined) this.logger.debug(line);
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
