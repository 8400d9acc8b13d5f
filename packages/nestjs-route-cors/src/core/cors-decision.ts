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
import { MAX_READ_PATH_LENGTH } from './path-readings.js';
import type { CompiledCorsPolicy } from './policy.js';
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
}

/** A request as the route lookup and the decision read it. */
export interface CorsRequest<R> extends CorsRequestFacts, RoutedRequest<R> {
  /** The path as the client sent it, for the sentence of a refusal. */
  readonly path: string;
}

export type CorsDecisionKind = 'preflight' | 'actual' | 'not-cors';

export interface CorsDecision {
  readonly kind: CorsDecisionKind;
  readonly allowed: boolean;
  readonly rejection?: CorsRejection;
  /** `Access-Control-*` headers to set; empty whenever the request is refused. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Values to append to `Vary` (never replace it: other layers add theirs). */
  readonly vary: readonly string[];
  /** The policy that decided; undefined for a preflight no handler with a policy would serve. */
  readonly policy: CompiledCorsPolicy | undefined;
  /**
   * Whether the request ends here with 403, before its handler: every
   * refused preflight, and a refused actual request under a strict policy
   * (before the handler's side effects). Otherwise an allowed preflight is
   * answered 204 and any other request goes on, with the headers above.
   */
  readonly blocks: boolean;
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

function allowOrigin(policy: CompiledCorsPolicy, origin: string): readonly [string, string] {
  return ['Access-Control-Allow-Origin', policy.anyOrigin ? '*' : origin];
}

/** Allow-Origin, then Allow-Credentials when enabled: how both kinds of answer begin. */
function originHeaders(policy: CompiledCorsPolicy, origin: string): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [allowOrigin(policy, origin)];
  if (policy.credentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  return headers;
}

/** Headers of an allowed actual request. */
export function actualRequestHeaders(policy: CompiledCorsPolicy, origin: string): Array<readonly [string, string]> {
  const headers = originHeaders(policy, origin);
  if (policy.exposeHeadersValue !== undefined) headers.push(['Access-Control-Expose-Headers', policy.exposeHeadersValue]);
  // Fetch's TAO check: the page may read this answer's timings exactly when it may read the answer.
  if (policy.timingAllowOrigin) headers.push(['Timing-Allow-Origin', policy.anyOrigin ? '*' : origin]);
  return headers;
}

/** Headers of an allowed preflight. */
export function preflightHeaders(policy: CompiledCorsPolicy, origin: string): Array<readonly [string, string]> {
  const headers = originHeaders(policy, origin);
  headers.push(['Access-Control-Allow-Methods', policy.allowMethodsValue]);
  if (policy.allowHeadersValue !== undefined) headers.push(['Access-Control-Allow-Headers', policy.allowHeadersValue]);
  headers.push(['Access-Control-Max-Age', policy.maxAgeValue]);
  return headers;
}

/** A refusal writes no `Access-Control-*` header; one shared empty list, not one per request. */
const NO_HEADERS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

function refusedPreflight(policy: CompiledCorsPolicy | undefined, rejection: CorsRejection, vary: readonly string[]): CorsDecision {
  return { kind: 'preflight', allowed: false, rejection, headers: NO_HEADERS, vary, policy, blocks: true };
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

function preflightDecision(policy: CompiledCorsPolicy, facts: CorsRequestFacts, origin: string, verdict: OriginVerdict): CorsDecision {
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
  return { kind: 'preflight', allowed: true, headers: preflightHeaders(policy, origin), vary, policy, blocks: false };
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
  return { kind: 'not-cors', allowed: true, headers: policy.anyOrigin ? actualRequestHeaders(policy, '*') : NO_HEADERS, vary, policy, blocks: false };
}

/** A refusal, unless the request is same-origin (which always passes); only then is its own origin read. */
function refusedActual(policy: CompiledCorsPolicy, facts: CorsRequestFacts, rejection: CorsRejection, vary: readonly string[]): CorsDecision {
  return facts.origin === facts.selfOrigin
    ? notCors(policy, vary)
    : { kind: 'actual', allowed: false, rejection, headers: NO_HEADERS, vary, policy, blocks: policy.strict };
}

function decideActual(policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
  const vary = policy.anyOrigin ? NO_VARY : ORIGIN_VARY;
  const { origin } = facts;
  // An OPTIONS that is not a preflight, or a client without Origin (curl), is not CORS.
  if (facts.method === 'OPTIONS') {
    return { kind: 'not-cors', allowed: true, headers: NO_HEADERS, vary, policy, blocks: false };
  }
  if (origin === undefined) {
    return notCors(policy, vary);
  }
  if (!policy.methods.has(facts.method)) {
    return refusedActual(policy, facts, { code: 'method-not-allowed', method: facts.method }, vary);
  }
  if (policy.anyOrigin) {
    return { kind: 'actual', allowed: true, headers: actualRequestHeaders(policy, '*'), vary, policy, blocks: false };
  }
  const verdict = checkOrigin(policy, origin);
  return verdict instanceof Promise
    ? verdict.then((settled) => actualDecision(policy, facts, origin, settled, vary))
    : actualDecision(policy, facts, origin, verdict, vary);
}

function actualDecision(policy: CompiledCorsPolicy, facts: CorsRequestFacts, origin: string, verdict: OriginVerdict, vary: readonly string[]): CorsDecision {
  return verdict.allowed
    ? { kind: 'actual', allowed: true, headers: actualRequestHeaders(policy, origin), vary, policy, blocks: false }
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
 * Where a request's path leads: the router's own reading (undefined when the
 * router routes the request nowhere), and the other readings a layer behind
 * it may serve (`otherPathReadings`), in the router's form.
 */
export interface RequestPaths {
  readonly routed: string | undefined;
  readonly others: readonly string[];
  /** Where path rules make other readings matter: the path is too long to read (`MAX_READ_PATH_LENGTH`), and gets no CORS. */
  readonly tooLong: boolean;
}

/**
 * What a request at one reading of its path is answered by: nothing of this
 * module's (no route with a policy there, or its handler has none), a
 * policy, or, for a preflight, a refusal because no handler with a policy
 * would serve the method it asks about.
 */
type Selection = undefined | { readonly policy: CompiledCorsPolicy } | { readonly policy: undefined; readonly refusal: CorsRejection };

function selectionAt<R>(routes: RoutePathIndex<CompiledCorsPolicy, R>, path: string | undefined, request: CorsRequest<R>, chosen?: ChosenRoute<R>): Selection {
  const entry = path === undefined ? undefined : routes.lookup(path);
  if (entry === undefined || !entry.hasPolicy) {
    return undefined;
  }
  const { requestMethod } = request;
  if (requestMethod !== undefined && isPreflight(request)) {
    const handlers = routes.preflightHandlers(entry, requestMethod, request);
    const policy = handlers && routes.policyOf(handlers);
    if (policy !== undefined) return { policy };
    const code = handlers ? 'handler-without-policy' : 'method-not-served';
    return { policy: undefined, refusal: { code, method: requestMethod, path: entry.path } };
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
  const policy = route?.policy;
  return policy === undefined ? undefined : { policy };
}

function policyName(selection: Selection): string {
  return selection?.policy === undefined ? 'no policy' : `'${selection.policy.name}'`;
}

/**
 * A path whose readings have different policies: no CORS header at all,
 * whichever origin asks. Its preflight is refused, and so is an actual
 * request from another origin under any of the policies that is strict.
 */
function ambiguousPathDecision<R>(request: CorsRequest<R>, path: string, reading: string, selections: readonly Selection[]): CorsDecision {
  const policies = [...new Set(selections.map(policyName))];
  const rejection: CorsRejection = { code: 'ambiguous-path', path, reading, policies };
  if (request.origin !== undefined && request.requestMethod !== undefined && isPreflight(request)) {
    return refusedPreflight(undefined, rejection, PREFLIGHT_VARY);
  }
  if (request.origin === undefined || request.origin === request.selfOrigin) {
    return { kind: 'not-cors', allowed: true, headers: NO_HEADERS, vary: ORIGIN_VARY, policy: undefined, blocks: false };
  }
  const blocks = selections.some((selection) => selection?.policy?.strict === true);
  return { kind: 'actual', allowed: false, rejection, headers: NO_HEADERS, vary: ORIGIN_VARY, policy: undefined, blocks };
}

/**
 * A path too long to read every way a server may (`MAX_READ_PATH_LENGTH`),
 * where path rules make that matter: no CORS header, a refused preflight,
 * and a cross-origin request refused where the route's policy or any path
 * rule's is strict, since another reading might be that rule's.
 */
function unreadPathDecision<R>(request: CorsRequest<R>, routes: RoutePathIndex<CompiledCorsPolicy, R>, selection: Selection): CorsDecision {
  const rejection: CorsRejection = { code: 'path-too-long', length: request.path.length, limit: MAX_READ_PATH_LENGTH };
  if (request.origin !== undefined && request.requestMethod !== undefined && isPreflight(request)) {
    return refusedPreflight(undefined, rejection, PREFLIGHT_VARY);
  }
  if (request.origin === undefined || request.origin === request.selfOrigin) {
    return { kind: 'not-cors', allowed: true, headers: NO_HEADERS, vary: ORIGIN_VARY, policy: undefined, blocks: false };
  }
  const blocks = selection?.policy?.strict === true || routes.rulePolicies().some((policy) => policy?.strict === true);
  return { kind: 'actual', allowed: false, rejection, headers: NO_HEADERS, vary: ORIGIN_VARY, policy: undefined, blocks };
}

/**
 * The CORS answer to a request, or undefined when the request is not this
 * module's: no route with a policy at its path, or the handler that serves
 * it has none (its answer carries no CORS header). A preflight is answered
 * by the policy of the handler that would serve the method it asks about
 * (Fetch §4.8); an actual request by its handler's, the one `chosen` names
 * where the router has already routed it. Where another reading of the path
 * (`paths.others`) has another policy, the request gets no CORS at all: a
 * policy chosen for one reading must not answer for what another serves.
 * Synchronous unless an origin predicate has to be awaited.
 */
export function decideRequest<R>(
  routes: RoutePathIndex<CompiledCorsPolicy, R>,
  paths: RequestPaths,
  request: CorsRequest<R>,
  chosen?: ChosenRoute<R>,
): Awaitable<CorsDecision> | undefined {
  const selection = selectionAt(routes, paths.routed, request, chosen);
  if (paths.tooLong) {
    return unreadPathDecision(request, routes, selection);
  }
  for (const reading of paths.others) {
    const other = selectionAt(routes, reading, request);
    if (other?.policy !== selection?.policy) {
      const selections = [selection, other];
      return ambiguousPathDecision(request, request.path, reading, selections);
    }
  }
  if (selection === undefined) {
    return undefined;
  }
  if (selection.policy === undefined) {
    return refusedPreflight(undefined, selection.refusal, PREFLIGHT_VARY);
  }
  return request.origin !== undefined && request.requestMethod !== undefined && isPreflight(request)
    ? decidePreflight(selection.policy, request, request.origin)
    : decideActual(selection.policy, request);
}

function servedHere<R>(route: IndexedRoute<CompiledCorsPolicy, R> | null, request: RoutedRequest<R>): IndexedRoute<CompiledCorsPolicy, R> | null {
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
  const current = existing.split(',').map((v) => v.trim()).filter((v) => v !== '');
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

