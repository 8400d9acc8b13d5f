/**
 * The one place that decides the CORS answer for a request. `decideRequest`
 * is the entry point: the route lookup, then preflight or actual, every
 * refusal included; the HTTP hook, `CorsPolicies.explain()` and the testing
 * helpers ask it. `decideCors` is its second half, for a caller that already
 * knows the policy (a gateway's handshake). Decision order follows Spring's
 * DefaultCorsProcessor: not CORS → pass; preflight → origin, method, headers.
 */
import { checkOrigin, isSingleOrigin, type OriginVerdict } from './origin-matcher.js';
import { type IndexedRoute, type RoutedRequest, type RoutePathIndex, routeForRequest } from './path-index.js';
import { actualRequestHeaders, NO_HEADERS, preflightHeaders } from './answer-headers.js';
import { MAX_READ_PATH_LENGTH } from './path-readings.js';
import type { CompiledCorsPolicy, CrossOriginResourcePolicy } from './policy.js';
import type { CorsRejection } from './rejections.js';

/** What the decision needs from a request; the adapters fill it in. */
export interface CorsRequestFacts {
  readonly method: string;
  /** The `Origin` header, if any (joined with ", " when sent several times). */
  readonly origin: string | undefined;
  /**
   * The request's own `scheme://host[:port]`, to recognise same-origin
   * requests. Read only when a request would be refused, so adapters may
   * compute it lazily (a getter).
   */
  readonly selfOrigin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;
  /**
   * Whether the request carries cookies (a `Cookie` header), for CSRF trust;
   * read only for an allowed actual request under a policy without
   * credentials, so adapters may compute it lazily. Left out (facts built by
   * hand before this field existed), it counts as carrying cookies: a request
   * whose cookies are unknown is never exempted from CSRF protection.
   */
  readonly carriesCookies?: boolean;
}

/** A request as the route lookup and the decision read it. */
export interface CorsRequest<R> extends CorsRequestFacts, RoutedRequest<R> {
  /** The path as the client sent it, for the sentence of a refusal. */
  readonly path: string;
}

export type CorsDecisionKind = 'preflight' | 'actual' | 'not-cors';

/**
 * How the answer to a decided request ends: an allowed preflight is
 * answered 204 here; a refused preflight, and a refused actual request under
 * a strict policy (before the handler's side effects), 403 here; any other
 * request goes on to its handler.
 */
export type CorsEnding = 'preflight' | 'refusal' | 'continue';

/** Everything the answer to a request gets from its CORS policy: what the responder writes, and explain() shows. */
export interface CorsDecision {
  readonly kind: CorsDecisionKind;
  readonly allowed: boolean;
  readonly rejection: CorsRejection | undefined;
  /** The policy that decided; undefined for a preflight no handler with a policy would serve, and a path read two ways. */
  readonly policy: CompiledCorsPolicy | undefined;
  /** `Access-Control-*` and `Timing-Allow-Origin` headers to set; empty whenever the request is refused. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Values to append to `Vary` (never replace it: other layers add theirs). */
  readonly vary: readonly string[];
  /** `Cross-Origin-Resource-Policy` over the application's own; undefined: the application's stays. */
  readonly resourcePolicy: CrossOriginResourcePolicy | undefined;
  /**
   * Whether `allowedByCors` trusts the request for CSRF protection: an
   * actual request whose origin the route's policy allowed, unless the
   * policy is public (`'*'`: public data never makes a state-changing
   * request trusted), and with cookies only where the policy allows
   * credentials (an origin never given the user's session cannot be
   * trusted with a request that carries it).
   */
  readonly csrfExempt: boolean;
  readonly ending: CorsEnding;
}

/** Every decision is made here, so that all have one shape (one hidden class for V8) and derive their fields alike. */
function decision(
  kind: CorsDecisionKind,
  policy: CompiledCorsPolicy | undefined,
  headers: ReadonlyArray<readonly [string, string]>,
  vary: readonly string[],
  ending: CorsEnding,
  rejection?: CorsRejection,
  csrfExempt = false,
): CorsDecision {
  return {
    kind,
    allowed: rejection === undefined,
    rejection,
    policy,
    headers,
    vary,
    resourcePolicy: policy?.resourcePolicy,
    csrfExempt,
    ending,
  };
}

/**
 * The route a platform's router has already chosen for a request (Fastify):
 * null when none of the indexed ones, undefined when it cannot say which.
 */
export type ChosenRoute<R> = (request: R) => IndexedRoute<CompiledCorsPolicy, R> | null | undefined;

export type Awaitable<T> = T | Promise<T>;

const NO_VARY: readonly string[] = [];
const ORIGIN_VARY: readonly string[] = ['Origin'];
const REQUEST_VARY: readonly string[] = ['Access-Control-Request-Method', 'Access-Control-Request-Headers'];
/** What a preflight answer depends on, hence what shared caches must key it by. */
export const PREFLIGHT_VARY: readonly string[] = ['Origin', ...REQUEST_VARY];

/** Fetch standard §3.2.2: a preflight is OPTIONS with Origin and Access-Control-Request-Method. */
export function isPreflight(facts: CorsRequestFacts): boolean {
  return facts.method === 'OPTIONS' && facts.origin !== undefined && facts.requestMethod !== undefined;
}

/** `Access-Control-Request-Headers` as lower-case names (HTTP header names are case-insensitive). */
export function parseHeaderList(value: string | undefined): string[] {
  if (value === undefined) {
    return [];
  }
  const names: string[] = [];
  for (const part of value.split(',')) {
    const name = part.trim().toLowerCase();
    if (name !== '') {
      names.push(name);
    }
  }
  return names;
}

function refusedPreflight(
  policy: CompiledCorsPolicy | undefined,
  rejection: CorsRejection,
  vary: readonly string[],
): CorsDecision {
  return decision('preflight', policy, NO_HEADERS, vary, 'refusal', rejection);
}

function originRejection(origin: string, verdict: OriginVerdict): CorsRejection {
  if (!isSingleOrigin(origin)) {
    return { code: 'multiple-origins', origin };
  }
  if ('failure' in verdict) {
    return verdict.failure === 'timeout'
      ? { code: 'origin-predicate-timeout', origin, timeoutMs: verdict.timeoutMs }
      : { code: 'origin-predicate-failed', origin, error: verdict.error };
  }
  return { code: 'origin-not-allowed', origin };
}

/** The first requested header the policy does not allow, if any. */
function headerNotAllowed(policy: CompiledCorsPolicy, requestHeaders: string | undefined): string | undefined {
  if (requestHeaders === undefined) return undefined;
  // Most preflights ask for one header (`content-type`): no list to build.
  if (!requestHeaders.includes(',')) {
    const name = requestHeaders.trim().toLowerCase();
    return name === '' || policy.allowedHeaders.has(name) ? undefined : name;
  }
  return parseHeaderList(requestHeaders).find((name) => !policy.allowedHeaders.has(name));
}

function preflightDecision(
  policy: CompiledCorsPolicy,
  facts: CorsRequestFacts,
  origin: string,
  verdict: OriginVerdict,
): CorsDecision {
  const vary = policy.anyOrigin ? REQUEST_VARY : PREFLIGHT_VARY;
  if (!verdict.allowed) {
    return refusedPreflight(policy, originRejection(origin, verdict), vary);
  }
  const requestMethod = facts.requestMethod ?? '';
  // Methods are case-sensitive (Fetch §2.2.1); browsers upper-case the standard ones.
  if (!policy.methods.has(requestMethod)) {
    return refusedPreflight(policy, { code: 'method-not-allowed', method: requestMethod }, vary);
  }
  const header = headerNotAllowed(policy, facts.requestHeaders);
  if (header !== undefined) {
    return refusedPreflight(policy, { code: 'header-not-allowed', header }, vary);
  }
  return decision('preflight', policy, preflightHeaders(policy, origin), vary, 'preflight');
}

// Here and in decideActual(), the verdict is handled without a closure when it is synchronous: one fewer
// allocation per request on the path every request takes.
function decidePreflight(policy: CompiledCorsPolicy, facts: CorsRequestFacts, origin: string): Awaitable<CorsDecision> {
  const verdict = checkOrigin(policy, origin);
  return verdict instanceof Promise
    ? verdict.then((settled) => preflightDecision(policy, facts, origin, settled))
    : preflightDecision(policy, facts, origin, verdict);
}

/** A request that is not CORS passes; a public policy still answers `*` (the same for everyone). */
function notCors(policy: CompiledCorsPolicy, vary: readonly string[]): CorsDecision {
  return decision('not-cors', policy, policy.anyOrigin ? policy.publicHeaders : NO_HEADERS, vary, 'continue');
}

/** A refusal, unless the request is same-origin (which always passes); only then is its own origin read. */
function refusedActual(
  policy: CompiledCorsPolicy,
  facts: CorsRequestFacts,
  rejection: CorsRejection,
  vary: readonly string[],
): CorsDecision {
  return facts.origin === facts.selfOrigin
    ? notCors(policy, vary)
    : decision('actual', policy, NO_HEADERS, vary, policy.strict ? 'refusal' : 'continue', rejection);
}

function decideActual(policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
  const vary = policy.anyOrigin ? NO_VARY : ORIGIN_VARY;
  const { origin } = facts;
  // An OPTIONS that is not a preflight, or a client without Origin (curl), is not CORS.
  if (facts.method === 'OPTIONS') {
    return decision('not-cors', policy, NO_HEADERS, vary, 'continue');
  }
  if (origin === undefined) {
    return notCors(policy, vary);
  }
  if (!policy.methods.has(facts.method)) {
    return refusedActual(policy, facts, { code: 'method-not-allowed', method: facts.method }, vary);
  }
  if (policy.anyOrigin) {
    return decision('actual', policy, policy.publicHeaders, vary, 'continue');
  }
  const verdict = checkOrigin(policy, origin);
  return verdict instanceof Promise
    ? verdict.then((settled) => actualDecision(policy, facts, origin, settled, vary))
    : actualDecision(policy, facts, origin, verdict, vary);
}

function actualDecision(
  policy: CompiledCorsPolicy,
  facts: CorsRequestFacts,
  origin: string,
  verdict: OriginVerdict,
  vary: readonly string[],
): CorsDecision {
  return verdict.allowed
    ? decision(
        'actual',
        policy,
        actualRequestHeaders(policy, origin),
        vary,
        'continue',
        undefined,
        policy.credentials || facts.carriesCookies === false,
      )
    : refusedActual(policy, facts, originRejection(origin, verdict), vary);
}

/**
 * Decides the CORS answer of `policy` to a request. Synchronous unless an
 * origin predicate has to be awaited.
 */
export function decideCors(policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
  if (isPreflight(facts) && facts.origin !== undefined) {
    return decidePreflight(policy, facts, facts.origin);
  }
  return decideActual(policy, facts);
}

/**
 * The other readings of a request's path that lead elsewhere, in the
 * router's form (`otherPathReadings`); `'unread'` for a path too long to
 * read (`MAX_READ_PATH_LENGTH`), where path rules make its readings matter.
 */
export type OtherPathReadings = readonly string[] | 'unread';

/** A path no other reading leads elsewhere from. */
export const NO_OTHER_READINGS: readonly string[] = Object.freeze([]);

/**
 * What a request at one reading of its path is answered by: a policy;
 * undefined when nothing there is this module's (no route with a policy, or
 * its handler has none); or, for a preflight, why no policy answers it (no
 * handler with a policy would serve the method it asks about).
 */
type Selection = CompiledCorsPolicy | PreflightRefusal | undefined;
type PreflightRefusal = Extract<CorsRejection, { readonly code: 'method-not-served' | 'handler-without-policy' }>;

function isRefusal(selection: Selection): selection is PreflightRefusal {
  return selection !== undefined && 'code' in selection;
}

function policyOf(selection: Selection): CompiledCorsPolicy | undefined {
  return isRefusal(selection) ? undefined : selection;
}

function selectionAt<R>(
  routes: RoutePathIndex<CompiledCorsPolicy, R>,
  path: string | undefined,
  request: CorsRequest<R>,
  chosen?: ChosenRoute<R>,
): Selection {
  const entry = path === undefined ? undefined : routes.lookup(path);
  if (entry === undefined || !entry.hasPolicy) {
    return undefined;
  }
  const { requestMethod } = request;
  if (requestMethod !== undefined && isPreflight(request)) {
    const handlers = routes.preflightHandlers(entry, requestMethod, request);
    const policy = handlers && routes.policyOf(handlers);
    if (policy !== undefined) return policy;
    return { code: handlers ? 'handler-without-policy' : 'method-not-served', method: requestMethod, path: entry.path };
  }
  // Nest's host filter runs inside the handler the router chose: a request it turns away gets no policy.
  const choice = chosen?.(request.request);
  const route =
    choice === undefined
      ? routeForRequest(entry, request.method, request)
      : // The router chose a route no controller declares (an adapter route, GraphQL, static files): only a path rule applies.
        choice === null
        ? routeForRequest(entry, request.method, request, true)
        : servedHere(choice, request);
  return route?.policy;
}

function policyName(selection: Selection): string {
  const policy = policyOf(selection);
  return policy === undefined ? 'no policy' : `'${policy.name}'`;
}

/**
 * A path the module cannot give one policy: no CORS header at all, whichever
 * origin asks. Its preflight is refused, and so is an actual request from
 * another origin when `strict` says so; same-origin requests and requests
 * without Origin pass, without headers.
 */
function withoutCors<R>(request: CorsRequest<R>, rejection: CorsRejection, strict: boolean): CorsDecision {
  if (request.origin !== undefined && request.requestMethod !== undefined && isPreflight(request)) {
    return refusedPreflight(undefined, rejection, PREFLIGHT_VARY);
  }
  if (request.origin === undefined || request.origin === request.selfOrigin) {
    return decision('not-cors', undefined, NO_HEADERS, ORIGIN_VARY, 'continue');
  }
  return decision('actual', undefined, NO_HEADERS, ORIGIN_VARY, strict ? 'refusal' : 'continue', rejection);
}

/**
 * What a request on a path no policy covers gets: no CORS header, by default.
 * Not written (the hook lets such requests go untouched); decided only to be
 * reported, in report-only mode or to a listener of the decision events.
 */
export function decideUncovered<R>(request: CorsRequest<R>): CorsDecision {
  const method = request.requestMethod !== undefined && isPreflight(request) ? request.requestMethod : request.method;
  return withoutCors(request, { code: 'no-policy', method, path: request.path }, false);
}

/**
 * The CORS answer to a request, or undefined when the request is not this
 * module's: no route with a policy at its path, or the handler that serves
 * it has none (its answer carries no CORS header). A preflight is answered
 * by the policy of the handler that would serve the method it asks about
 * (Fetch §4.8); an actual request by its handler's, the one `chosen` names
 * where the router has already routed it.
 *
 * `routed` is the router's reading of the path; `others` the other readings
 * a layer behind it may serve. Where one of those has another policy, the
 * request gets no CORS at all (`ambiguous-path`): a policy chosen for one
 * reading must not answer for what another serves. A path too long to read
 * gets none either (`path-too-long`), and a cross-origin request is refused
 * where its policy or any path rule's is strict, since another reading might
 * be that rule's. Synchronous unless an origin predicate has to be awaited.
 */
export function decideRequest<R>(
  routes: RoutePathIndex<CompiledCorsPolicy, R>,
  routed: string | undefined,
  request: CorsRequest<R>,
  chosen?: ChosenRoute<R>,
  others: OtherPathReadings = NO_OTHER_READINGS,
): Awaitable<CorsDecision> | undefined {
  const selection = selectionAt(routes, routed, request, chosen);
  if (others === 'unread') {
    const rejection: CorsRejection = {
      code: 'path-too-long',
      length: request.path.length,
      limit: MAX_READ_PATH_LENGTH,
    };
    return withoutCors(
      request,
      rejection,
      policyOf(selection)?.strict === true || routes.rulePolicies().some((policy) => policy?.strict === true),
    );
  }
  for (const reading of others) {
    const other = selectionAt(routes, reading, request);
    if (policyOf(other) !== policyOf(selection)) {
      const rejection: CorsRejection = {
        code: 'ambiguous-path',
        path: request.path,
        reading,
        policies: [...new Set([policyName(selection), policyName(other)])],
      };
      return withoutCors(request, rejection, policyOf(selection)?.strict === true || policyOf(other)?.strict === true);
    }
  }
  if (selection === undefined) {
    return undefined;
  }
  if (isRefusal(selection)) {
    return refusedPreflight(undefined, selection, PREFLIGHT_VARY);
  }
  return request.origin !== undefined && request.requestMethod !== undefined && isPreflight(request)
    ? decidePreflight(selection, request, request.origin)
    : decideActual(selection, request);
}

function servedHere<R>(
  route: IndexedRoute<CompiledCorsPolicy, R> | null,
  request: RoutedRequest<R>,
): IndexedRoute<CompiledCorsPolicy, R> | null {
  return route?.servesHost?.(request.hostname) === false ? null : route;
}

const joined = new WeakMap<readonly string[], string>();

/** The decisions reuse a few constant Vary lists: join each once. */
function joinedVary(values: readonly string[]): string {
  let value = joined.get(values);
  if (value === undefined) {
    value = values.join(', ');
    joined.set(values, value);
  }
  return value;
}

/**
 * Appends `values` to an existing `Vary` header value, once each
 * (case-insensitively); `*` already covers everything.
 */
export function appendVary(existing: string | undefined, values: readonly string[]): string | undefined {
  if (values.length === 0) {
    return existing;
  }
  if (existing === undefined) {
    return values.length === 1 ? values[0] : joinedVary(values);
  }
  const current = existing
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (current.includes('*')) {
    return existing;
  }
  const seen = new Set(current.map((v) => v.toLowerCase()));
  const merged = [...current];
  for (const value of values) {
    if (!seen.has(value.toLowerCase())) {
      seen.add(value.toLowerCase());
      merged.push(value);
    }
  }
  return merged.join(', ');
}
