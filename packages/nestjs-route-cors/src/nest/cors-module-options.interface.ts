import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';
import type { CorsDecisionKind } from '../core/cors-decision.js';
import type { CorsMode, CorsPolicyOptions } from '../core/policy.js';
import type { CorsRejection } from '../core/rejections.js';
import type { CorsPolicySync } from './cors-policy-sync.interface.js';
import type { RejectionLogOptions } from './rate-limited-log.js';

/** What `onReject` learns about a refused request. */
export interface CorsRejectionEvent {
  readonly kind: CorsDecisionKind;
  readonly policy: string;
  readonly rejection: CorsRejection;
  /** The rejection as one plain sentence, as logged. */
  readonly reason: string;
  readonly method: string;
  readonly path: string;
  readonly origin: string | undefined;
}

/** A path no controller declares, and the policy its requests get. */
export interface CorsPathRule {
  /**
   * In the route syntax Nest uses for controllers (Express 5's, on both
   * platforms): `/graphql`, `/assets/*file`, `/docs{/*rest}`. Matched against
   * the path the HTTP server receives: no global prefix or version is added;
   * trailing slash and case follow the router's settings.
   */
  readonly path: string;
  /** A named policy, or inline options, for every method at the path. */
  readonly policy: string | CorsPolicyOptions;
}

export interface CorsModuleOptions {
  /**
   * Named policies, used as `@Cors('name')`. Each is validated at start-up.
   * @default {}
   */
  readonly policies?: Readonly<Record<string, CorsPolicyOptions>>;
  /**
   * Policies for what no controller declares: GraphQL's endpoint, static
   * files, Swagger's pages, routes added on the adapter, WebSocket servers
   * on the application's HTTP server. Each rule covers every method at its
   * path, preflights answered before anything else runs; a rule whose path a
   * controller route also serves stops start-up.
   * @default []
   */
  readonly paths?: readonly CorsPathRule[];
  /**
   * Called once for every refused preflight, actual request or gateway
   * handshake, e.g. to count rejections as a metric. `request` is the
   * platform's own: Express's `Request` or Fastify's `FastifyRequest` (declare
   * the one your app runs on), or Node's `IncomingMessage` for a gateway
   * handshake. A throwing hook is logged and ignored.
   */
  readonly onReject?: (event: CorsRejectionEvent, request: unknown) => void;
  /**
   * Put the refusal's reason (the sentence of the debug log) in an
   * `X-CORS-Rejection-Reason` header of refused preflights and requests, so
   * that the browser's developer tools show it. For development: the reason
   * names the allowlist. Escaped to printable ASCII, at most 300 characters.
   * @default false
   */
  readonly exposeRejectionReason?: boolean;
  /**
   * Log the table of routes and their policies at start-up.
   * @default true
   */
  readonly logRoutes?: boolean;
  /**
   * Share run-time policy changes between the application's instances:
   * `redisPolicySync(client)` from `nestjs-route-cors/redis`. Then
   * `CorsPolicies.replaceEverywhere()` replaces a policy on every instance
   * and `replace()` refuses (it would change one instance only).
   * @default undefined (each instance keeps its own policies)
   */
  readonly sync?: CorsPolicySync;
  /**
   * `'report-only'`: every policy without a `mode` of its own decides every
   * request but writes no CORS header and ends nothing (no 204, no 403,
   * `strict` refuses nothing, no CSRF mark); where the answer the application
   * sent disagrees with the policy's, a decision event carries both and a
   * warning says so (rate-limited like refusals). Only in this mode may
   * another CORS layer (`app.enableCors()`, `cors()`, `@fastify/cors`) stay
   * beside the module: the way to adopt it in an application that runs.
   * @default 'enforce'
   */
  readonly mode?: CorsMode;
  /**
   * The rate limit of refusal (and report-only disagreement) log lines: per
   * policy and code, the first line, then the next one after `interval`
   * with a count of those left out.
   * @default { interval: 10000 }
   */
  readonly rejectionLog?: RejectionLogOptions;
  /**
   * Hand the decision events to OpenTelemetry (when `@opentelemetry/api` is
   * installed: `cors.*` attributes on the active span, the `cors.decisions`
   * and `cors.disagreements` counters) and to `@nestjs/observe` (when the
   * application imports its module: the `cors_decisions` counter).
   * @default true
   */
  readonly telemetry?: boolean;
}

export interface CorsModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  readonly inject?: Array<InjectionToken | OptionalFactoryDependency>;
  readonly useFactory: (...args: never[]) => CorsModuleOptions | Promise<CorsModuleOptions>;
}
