/**
 * The one place that decides the CORS answer for a request: preflights and
 * actual requests both come here, whether from the running service, its error
 * path or the `cors:explain` command. Decision order follows Spring's
 * DefaultCorsProcessor: not CORS → pass; preflight → origin, method, headers.
 */
import { checkOrigin, isSingleOrigin, type OriginVerdict } from './origin-matcher.js';
import type { CompiledCorsPolicy } from './policy.js';

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

export type CorsRejection =
  | { readonly code: 'origin-not-allowed'; readonly origin: string }
  | { readonly code: 'multiple-origins'; readonly origin: string }
  | { readonly code: 'origin-predicate-failed'; readonly origin: string; readonly error: unknown }
  /** The predicate did not answer within the policy's `originPredicateTimeout`. */
  | { readonly code: 'origin-predicate-timeout'; readonly origin: string; readonly timeoutMs: number }
  | { readonly code: 'method-not-allowed'; readonly method: string }
  | { readonly code: 'header-not-allowed'; readonly header: string }
  /** A preflight for a method that no handler serves at the path. */
  | { readonly code: 'method-not-served'; readonly method: string; readonly path: string }
  /** A preflight for a method whose handler has no CORS policy (or opted out). */
  | { readonly code: 'handler-without-policy'; readonly method: string; readonly path: string };

export type CorsDecisionKind = 'preflight' | 'actual' | 'not-cors';

export interface CorsDecision {
  readonly kind: CorsDecisionKind;
  readonly allowed: boolean;
  readonly rejection?: CorsRejection;
  /** `Access-Control-*` headers to set; empty whenever the request is refused. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Values to append to `Vary` (never replace it: other layers add theirs). */
  readonly vary: readonly string[];
}

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

function refused(kind: CorsDecisionKind, rejection: CorsRejection, vary: readonly string[]): CorsDecision {
  return { kind, allowed: false, rejection, headers: NO_HEADERS, vary };
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
    return refused('preflight', originRejection(origin, verdict), vary);
  }
  const requestMethod = facts.requestMethod ?? '';
  // Methods are case-sensitive (Fetch §2.2.1); browsers upper-case the standard ones.
  if (!policy.methods.has(requestMethod)) {
    return refused('preflight', { code: 'method-not-allowed', method: requestMethod }, vary);
  }
  const header = headerNotAllowed(policy, facts.requestHeaders);
  if (header !== undefined) {
    return refused('preflight', { code: 'header-not-allowed', header }, vary);
  }
  return { kind: 'preflight', allowed: true, headers: preflightHeaders(policy, origin), vary };
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
  return { kind: 'not-cors', allowed: true, headers: policy.anyOrigin ? actualRequestHeaders(policy, '*') : NO_HEADERS, vary };
}

/** A refusal, unless the request is same-origin (which always passes); only then is its own origin read. */
function refusedActual(policy: CompiledCorsPolicy, facts: CorsRequestFacts, rejection: CorsRejection, vary: readonly string[]): CorsDecision {
  return facts.origin === facts.selfOrigin ? notCors(policy, vary) : refused('actual', rejection, vary);
}

function decideActual(policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
  const vary = policy.anyOrigin ? NO_VARY : ORIGIN_VARY;
  const { origin } = facts;
  // An OPTIONS that is not a preflight, or a client without Origin (curl), is not CORS.
  if (facts.method === 'OPTIONS') {
    return { kind: 'not-cors', allowed: true, headers: NO_HEADERS, vary };
  }
  if (origin === undefined) {
    return notCors(policy, vary);
  }
  if (!policy.methods.has(facts.method)) {
    return refusedActual(policy, facts, { code: 'method-not-allowed', method: facts.method }, vary);
  }
  if (policy.anyOrigin) {
    return { kind: 'actual', allowed: true, headers: actualRequestHeaders(policy, '*'), vary };
  }
  const verdict = checkOrigin(policy, origin);
  return verdict instanceof Promise
    ? verdict.then((settled) => actualDecision(policy, facts, origin, settled, vary))
    : actualDecision(policy, facts, origin, verdict, vary);
}

function actualDecision(policy: CompiledCorsPolicy, facts: CorsRequestFacts, origin: string, verdict: OriginVerdict, vary: readonly string[]): CorsDecision {
  return verdict.allowed
    ? { kind: 'actual', allowed: true, headers: actualRequestHeaders(policy, origin), vary }
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

function quoted(value: string): string {
  // Untrusted values reach logs and terminals: keep them on one line and short.
  const shown = value.length > 200 ? `${value.slice(0, 200)}…` : value;
  return JSON.stringify(shown);
}

/** At most this many values are named in a sentence: an allowlist may hold thousands. */
const LISTED_AT_MOST = 10;

function listed(values: '*' | readonly string[]): string {
  if (values === '*') return '*';
  if (values.length === 0) return 'none';
  const named = values.slice(0, LISTED_AT_MOST).join(', ');
  return values.length > LISTED_AT_MOST ? `${named} and ${values.length - LISTED_AT_MOST} more` : named;
}

/** The longest reason a header carries: enough for the sentence, never a flood of request bytes. */
const MAX_REASON_HEADER_LENGTH = 300;

/**
 * A rejection sentence as a header value: printable ASCII only (anything
 * else, including the untrusted origin's bytes, as `\uXXXX`), bounded.
 */
export function rejectionReasonHeaderValue(reason: string): string {
  const escaped = reason.replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > MAX_REASON_HEADER_LENGTH ? `${escaped.slice(0, MAX_REASON_HEADER_LENGTH - 3)}...` : escaped;
}

/** One plain sentence saying which rule refused the request. */
export function describeRejection(rejection: CorsRejection, policy: CompiledCorsPolicy | undefined): string {
  if (rejection.code === 'method-not-served') {
    return `no handler serves method ${quoted(rejection.method)} at ${rejection.path}`;
  }
  if (rejection.code === 'handler-without-policy') {
    return `the ${quoted(rejection.method)} handler at ${rejection.path} has no CORS policy`;
  }
  if (policy === undefined) {
    return `refused by CORS (${rejection.code})`;
  }
  const name = `'${policy.name}'`;
  switch (rejection.code) {
    case 'origin-not-allowed':
      return `origin ${quoted(rejection.origin)} is not in policy ${name} (allowed: ${listed(policy.declared.origins)}${
        policy.declared.hasOriginPredicate ? ', and origins accepted by its originPredicate' : ''
      })`;
    case 'multiple-origins':
      return `the request carries several Origin values (${quoted(rejection.origin)}); browsers send exactly one`;
    case 'origin-predicate-failed':
      return `origin ${quoted(rejection.origin)} was refused because the originPredicate of policy ${name} failed: ${
        rejection.error instanceof Error ? rejection.error.message : String(rejection.error)
      }`;
    case 'origin-predicate-timeout':
      return `origin ${quoted(rejection.origin)} was refused because the originPredicate of policy ${name} did not answer within ${rejection.timeoutMs} ms`;
    case 'method-not-allowed':
      return `method ${quoted(rejection.method)} is not in the allowed methods of ${name} (allowed: ${listed(
        policy.declared.methods,
      )})`;
    case 'header-not-allowed':
      return `header ${quoted(rejection.header)} is not in the allowed headers of ${name} (allowed: ${listed(
        policy.declared.allowedHeaders,
      )})`;
  }
}
