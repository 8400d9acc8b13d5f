/**
 * "Why was this blocked?": what the service would answer a browser's
 * preflight and actual request, and whether the page could read the answer.
 * Asks the route table and the decision entry point the request hook asks
 * (`decideRequest`), so the explanation cannot drift from the behaviour.
 */
import { type CorsDecision, type CorsRequest, decideRequest, NO_OTHER_READINGS } from '../core/cors-decision.js';
import { normaliseOrigin, OriginSyntaxError } from '../core/origin-syntax.js';
import { routeForRequest } from '../core/path-index.js';
import type { CompiledCorsPolicy, CorsMode } from '../core/policy.js';
import { describeRejection } from '../core/rejections.js';
import { localNetworkAccessNeeded } from '../core/address-space.js';
import { type CorsPolicyVersion, describeVersion } from '../core/policy-version.js';
import { otherReadings } from './cors-platform.js';
import type { CorsRoute, CorsRouteTable } from './cors-route-table.js';
import { pathOf } from './node-request.js';

export interface RequestHeaderInput {
  readonly name: string;
  readonly value?: string;
}

export interface CorsExplainInput {
  readonly origin: string;
  readonly method: string;
  readonly path: string;
  /** Headers the page's code sets on the request. */
  readonly headers: readonly RequestHeaderInput[];
  /** `fetch(..., { credentials: 'include' })`. */
  readonly credentials: boolean;
  /** The API's host name, for routes bound to hosts (`@Controller({ host })`). */
  readonly host?: string;
}

/** Input that does not describe a request the service could receive. */
export class CorsExplainInputError extends Error {}

export interface ExplainedResponse {
  /** Undefined when the handler decides it. */
  readonly status: number | undefined;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly vary: readonly string[];
}

export interface CorsExplanation {
  readonly route: {
    readonly method: string;
    readonly path: string;
    readonly handler: string;
    readonly policy: string | undefined;
  };
  readonly preflight: {
    readonly needed: boolean;
    readonly why: string;
    readonly response?: ExplainedResponse;
    readonly allowed: boolean;
  };
  readonly actual: { readonly sent: boolean; readonly response?: ExplainedResponse; readonly readable: boolean };
  readonly allowed: boolean;
  /**
   * Whether `app.enableCsrfProtection({ exclude: allowedByCors })` exempts the
   * request: its route's policy allows the origin, is not public, and allows
   * credentials if the request sends them.
   */
  readonly csrfExempt: boolean;
  /** One plain sentence: which rule allowed or refused the request. */
  readonly verdict: string;
  /**
   * Chrome's Local Network Access (142+): set when the page's origin is more
   * public than the API's host (`input.host`), so that Chrome asks the user's
   * permission before the request, and refuses it without, before any CORS.
   */
  readonly localNetworkAccess?: string;
  /**
   * How the application treats the answers shown: the route's policy's own
   * `mode`, else the module's (`CorsPolicies.explain()` sets it). In
   * `'report-only'` it decides them as shown but writes none of it and
   * refuses nothing; whatever other CORS layer there is answers.
   */
  readonly mode?: CorsMode;
  /** The version of the policies the explanation was decided under (`CorsPolicies.explain()` sets it). */
  readonly policyVersion?: CorsPolicyVersion;
}

/** Fetch §2.2.1: browsers upper-case these methods and send others as written. */
const NORMALISED_METHODS = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);
export const SIMPLE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'POST']);
const SAFELISTED_HEADERS = new Set(['accept', 'accept-language', 'content-language', 'content-type']);
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

/**
 * The `Access-Control-Request-Headers` of the preflight a browser sends before
 * this request, or undefined when it sends none (Fetch §4.1).
 */
export function browserPreflightHeaders(method: string, headers: readonly RequestHeaderInput[]): string[] | undefined {
  const unsafe = unsafeHeaders(headers);
  return SIMPLE_METHODS.has(browserMethod(method)) && unsafe.length === 0 ? undefined : unsafe;
}

function browserMethod(method: string): string {
  return NORMALISED_METHODS.has(method.toUpperCase()) ? method.toUpperCase() : method;
}

/** Fetch §4.1: the headers that make a request need a preflight ("unsafe" headers). */
function unsafeHeaders(headers: readonly RequestHeaderInput[]): string[] {
  return headers
    .filter(({ name, value }) => {
      const lower = name.toLowerCase();
      if (lower === 'content-type') {
        const mime = (value ?? 'application/json').split(';')[0]?.trim().toLowerCase() ?? '';
        return !SIMPLE_CONTENT_TYPES.has(mime);
      }
      return !SAFELISTED_HEADERS.has(lower);
    })
    .map(({ name }) => name.toLowerCase());
}

/** The page's origin as browsers serialise it; a CorsExplainInputError when it is none. */
export function explainedOrigin(origin: string): string {
  try {
    return normaliseOrigin(origin);
  } catch (error) {
    if (error instanceof OriginSyntaxError) throw new CorsExplainInputError(`the origin ${error.message}`);
    throw error;
  }
}

function responseOf(decision: CorsDecision, status: number | undefined): ExplainedResponse {
  return { status, headers: decision.headers, vary: decision.vary };
}

function header(response: ExplainedResponse | undefined, name: string): string | undefined {
  return response?.headers.find(([key]) => key === name)?.[1];
}

/** What the browser itself checks on top of the server's answer (Fetch §4.9 "CORS check"). */
function credentialProblem(
  response: ExplainedResponse,
  input: CorsExplainInput,
  policy: CompiledCorsPolicy,
): string | undefined {
  if (!input.credentials) return undefined;
  if (header(response, 'Access-Control-Allow-Origin') === '*') {
    return `policy '${policy.name}' answers '*', which browsers refuse for credentialed requests`;
  }
  if (header(response, 'Access-Control-Allow-Credentials') !== 'true') {
    return `policy '${policy.name}' does not allow credentials, so a request with credentials: 'include' is blocked`;
  }
  return undefined;
}

/** The request a browser sends for `input`, as the route lookup and the decision read it. */
function browserRequest(
  routes: CorsRouteTable,
  input: CorsExplainInput,
  origin: string,
  preflightOf: string | undefined,
  requestHeaders: string | undefined,
): CorsRequest<unknown> {
  const headers = Object.fromEntries(input.headers.map(({ name, value }) => [name.toLowerCase(), value ?? '']));
  const hostname = input.host ?? '';
  // All that Nest's host and version filters read: the path, the host name and the headers the page sets.
  const request = routes.router.describedRequest({ url: input.path, headers, hostname });
  const method = preflightOf === undefined ? browserMethod(input.method) : 'OPTIONS';
  // A page's own origin is never asked for: a cross-origin page is what is being explained. Its credentials stand for its cookies.
  return {
    method,
    origin,
    selfOrigin: undefined,
    requestMethod: preflightOf,
    requestHeaders,
    carriesCookies: input.credentials,
    hostname,
    request,
    path: pathOf(input.path),
  };
}

function routeSummary(route: CorsRoute): string {
  return [route.method, route.host && `host ${route.host}`, route.version && `version ${route.version}`]
    .filter(Boolean)
    .join(' ');
}

/** The status of an answer the module ends itself, undefined when the handler decides it. */
function statusOf(decision: CorsDecision): number | undefined {
  return decision.ending === 'refusal' ? 403 : decision.ending === 'preflight' ? 204 : undefined;
}

export async function explainCorsRequest(routes: CorsRouteTable, input: CorsExplainInput): Promise<CorsExplanation> {
  const origin = explainedOrigin(input.origin);
  const method = browserMethod(input.method);
  const { index } = routes.lookup;
  const actualRequest = browserRequest(routes, input, origin, undefined, undefined);
  const routed = routes.router.routingPath(actualRequest.request, input.path);
  const others = index.hasPathRules ? otherReadings(routes.router, input.path, routed) : NO_OTHER_READINGS;
  const decide = (request: CorsRequest<unknown>): Promise<CorsDecision | undefined> =>
    Promise.resolve(decideRequest(index, routed, request, undefined, others));
  const entry = routed === undefined ? undefined : index.lookup(routed);
  const served = entry && routeForRequest(entry, method, actualRequest);
  // A path that reads as a route only once normalised is explained by that: it gets no CORS.
  const unread = others !== NO_OTHER_READINGS ? (await decide(actualRequest))?.rejection?.code : undefined;
  const ambiguous = unread === 'ambiguous-path' || unread === 'path-too-long';
  if ((!entry || !served) && !ambiguous) {
    const known = entry ? ` (routes there: ${entry.routes.map(routeSummary).join('; ')})` : '';
    throw new CorsExplainInputError(
      `no route serves ${method} ${input.path}${input.host ? ` on host ${input.host}` : ''}${known}`,
    );
  }
  const routePath = entry?.path ?? pathOf(input.path);
  const policy = served?.policy;
  const routeInfo = {
    method,
    path: routePath,
    handler: served?.handler ?? 'no route, as the router reads the path',
    policy: policy?.name,
  };

  const unsafe = unsafeHeaders(input.headers);
  const needed = !SIMPLE_METHODS.has(method) || unsafe.length > 0;
  const why = !SIMPLE_METHODS.has(method)
    ? `${method} is not a CORS-safelisted method`
    : unsafe.length > 0
      ? `the request sets ${unsafe.join(', ')}, which ${unsafe.length > 1 ? 'are' : 'is'} not CORS-safelisted`
      : 'a simple request (safelisted method and headers): browsers send no preflight';

  let blockedBy: string | undefined;
  let preflight: CorsExplanation['preflight'] = { needed, why, allowed: true };
  if (needed) {
    const decision = await decide(browserRequest(routes, input, origin, method, unsafe.join(', ') || undefined));
    if (decision === undefined) {
      preflight = { needed, why, allowed: false, response: { status: 404, headers: [], vary: [] } };
      blockedBy = `${routePath} has no CORS policy, so its preflight gets no CORS headers`;
    } else {
      const response = responseOf(decision, statusOf(decision));
      blockedBy =
        rejectionSentence(decision) ?? (decision.policy && credentialProblem(response, input, decision.policy));
      preflight = { needed, why, allowed: blockedBy === undefined, response };
    }
  }

  let actual: CorsExplanation['actual'] = { sent: false, readable: false };
  let csrfExempt = false;
  if (preflight.allowed) {
    const decision = await decide(actualRequest);
    csrfExempt = decision?.csrfExempt === true;
    if (decision === undefined) {
      actual = { sent: true, readable: false, response: { status: undefined, headers: [], vary: [] } };
      blockedBy = `the ${method} handler at ${routePath} has no CORS policy, so its answer carries no Access-Control-Allow-Origin`;
    } else {
      const response = responseOf(decision, statusOf(decision));
      blockedBy =
        rejectionSentence(decision) ?? (decision.policy && credentialProblem(response, input, decision.policy));
      actual = { sent: true, readable: blockedBy === undefined, response };
    }
  }

  const allowed = blockedBy === undefined;
  const verdict = allowed
    ? `allowed: ${origin} may ${method} ${routePath} under policy '${policy?.name ?? '-'}' and read the answer`
    : `refused: ${blockedBy}`;
  const space = input.host === undefined ? undefined : localNetworkAccessNeeded(origin, input.host);
  const localNetworkAccess =
    space &&
    `Chrome 142+ asks the user before a page on ${origin} reaches ${input.host}, a ${space} address (Local Network Access); refused, the page gets "Permission was denied for this request to access the \`${space}\` address space." before any CORS check`;
  return {
    route: routeInfo,
    preflight,
    actual,
    allowed,
    csrfExempt,
    verdict,
    ...(localNetworkAccess === undefined ? {} : { localNetworkAccess }),
    ...(policy?.mode === undefined ? {} : { mode: policy.mode }),
  };
}

function rejectionSentence(decision: CorsDecision): string | undefined {
  return decision.rejection && describeRejection(decision.rejection, decision.policy);
}

function formatResponse(response: ExplainedResponse): string[] {
  const lines = [`  status: ${response.status ?? "the handler's"}`];
  for (const [name, value] of response.headers) lines.push(`  ${name}: ${value}`);
  if (response.vary.length > 0) lines.push(`  Vary: ${response.vary.join(', ')}`);
  if (response.headers.length === 0) lines.push('  (no Access-Control-* header)');
  return lines;
}

/** The explanation as the `cors:explain` command prints it. */
export function formatExplanation(explanation: CorsExplanation): string {
  const { route, preflight, actual } = explanation;
  const lines = [
    `Route: ${route.method} ${route.path} → ${route.handler}, policy ${route.policy ? `'${route.policy}'` : '(none)'}`,
    '',
  ];
  if (explanation.mode === 'report-only')
    lines.push(
      'Mode: report-only. The application decides as below but writes none of it, refuses nothing and exempts',
      'nothing from CSRF protection: another CORS layer, if there is one, answers, and each answer that differs from',
      'this one is reported.',
      '',
    );
  lines.push(
    `Preflight (OPTIONS ${route.path}): ${preflight.needed ? `sent, because ${preflight.why}` : `none, ${preflight.why}`}`,
  );
  // A 204 with Access-Control-Allow-Origin can still be refused (credentials): the browser's verdict, next to the answer.
  if (preflight.response)
    lines.push(...formatResponse(preflight.response), `  accepted by the browser: ${preflight.allowed ? 'yes' : 'no'}`);
  lines.push(
    '',
    `Actual request (${route.method} ${route.path}): ${actual.sent ? 'sent' : 'not sent: the browser stops at the refused preflight'}`,
  );
  if (actual.response)
    lines.push(...formatResponse(actual.response), `  readable by the page: ${actual.readable ? 'yes' : 'no'}`);
  if (actual.sent)
    lines.push(
      `  exempt from app.enableCsrfProtection({ exclude: allowedByCors }): ${explanation.csrfExempt ? 'yes' : 'no'}`,
    );
  lines.push('', explanation.verdict);
  if (explanation.localNetworkAccess !== undefined) lines.push('', `Note: ${explanation.localNetworkAccess}.`);
  if (explanation.policyVersion !== undefined)
    lines.push('', `Policies: ${describeVersion(explanation.policyVersion)}`);
  return lines.join('\n');
}
