/**
 * Why a request was refused, as data and as the one plain sentence that logs,
 * `onReject`, `X-CORS-Rejection-Reason`, `CorsPolicies.explain()` and the
 * testing helpers all print.
 */
import type { CompiledCorsPolicy } from './policy.js';

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
  /**
   * A request on a path no `@Cors()` policy or path rule covers (or whose
   * handler opted out with `@Cors(false)`): denied by default, and only
   * reported (report-only warnings, decision events).
   */
  | { readonly code: 'no-policy'; readonly method: string; readonly path: string }
  /** A preflight for a method whose handler has no CORS policy (or opted out). */
  | { readonly code: 'handler-without-policy'; readonly method: string; readonly path: string }
  /**
   * The path reads otherwise to a layer that normalises it (`reading`), and
   * the two readings have different policies (named in `policies`).
   */
  | {
      readonly code: 'ambiguous-path';
      readonly path: string;
      readonly reading: string;
      readonly policies: readonly string[];
    }
  /** The path is longer than the module reads every way a server may, where path rules make that matter. */
  | { readonly code: 'path-too-long'; readonly length: number; readonly limit: number };

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

/** The longest path a sentence or log line prints: a hostile 16 KB request target is not copied into each. */
const MAX_PRINTED_PATH_LENGTH = 200;

/** A request's path for a sentence or a log line, cut short past `MAX_PRINTED_PATH_LENGTH`, with its length. */
export function printedPath(path: string): string {
  return path.length > MAX_PRINTED_PATH_LENGTH
    ? `${path.slice(0, MAX_PRINTED_PATH_LENGTH)}... (${path.length} characters)`
    : path;
}

/** One plain sentence saying which rule refused the request. */
export function describeRejection(rejection: CorsRejection, policy: CompiledCorsPolicy | undefined): string {
  if (rejection.code === 'method-not-served') {
    return `no handler serves method ${quoted(rejection.method)} at ${rejection.path}`;
  }
  if (rejection.code === 'no-policy') {
    return `no @Cors() policy covers ${quoted(rejection.method)} ${printedPath(rejection.path)}, so it gets no CORS header`;
  }
  if (rejection.code === 'handler-without-policy') {
    return `the ${quoted(rejection.method)} handler at ${rejection.path} has no CORS policy`;
  }
  if (rejection.code === 'ambiguous-path') {
    return `the path ${quoted(rejection.path)} reads as ${quoted(rejection.reading)} to a server that normalises it, and the readings have different CORS policies (${rejection.policies.join(', ')}), so it gets none`;
  }
  if (rejection.code === 'path-too-long') {
    return `the path is ${rejection.length} characters long, over the ${rejection.limit} that are read every way a server behind a path rule may read them, so it gets no CORS`;
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
