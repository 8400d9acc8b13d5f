/**
 * The `Access-Control-*` and `Timing-Allow-Origin` headers of an allowed
 * answer, from a compiled policy's values (computed once, at start-up). A
 * public policy's actual-request headers are the same for everyone: compiled
 * once, into `publicHeaders`.
 */
import type { CompiledCorsPolicy } from './policy.js';

/** What the headers are made of. */
type HeaderValues = Pick<
  CompiledCorsPolicy,
  | 'anyOrigin'
  | 'credentials'
  | 'exposeHeadersValue'
  | 'timingAllowOrigin'
  | 'allowMethodsValue'
  | 'allowHeadersValue'
  | 'maxAgeValue'
  | 'publicHeaders'
>;

/** A refusal writes no `Access-Control-*` header; one shared empty list, not one per request. */
export const NO_HEADERS: ReadonlyArray<readonly [string, string]> = Object.freeze([]);

/** Allow-Origin, then Allow-Credentials when enabled: how both kinds of answer begin. */
function originHeaders(policy: Omit<HeaderValues, 'publicHeaders'>, origin: string): Array<readonly [string, string]> {
  const headers: Array<readonly [string, string]> = [['Access-Control-Allow-Origin', policy.anyOrigin ? '*' : origin]];
  if (policy.credentials) headers.push(['Access-Control-Allow-Credentials', 'true']);
  return headers;
}

/** Headers of an allowed actual request, built for `origin` (`'*'` for a public policy, at compile time). */
export function answerHeaders(
  policy: Omit<HeaderValues, 'publicHeaders'>,
  origin: string,
): ReadonlyArray<readonly [string, string]> {
  const headers = originHeaders(policy, origin);
  if (policy.exposeHeadersValue !== undefined)
    headers.push(['Access-Control-Expose-Headers', policy.exposeHeadersValue]);
  // Fetch's TAO check: the page may read this answer's timings exactly when it may read the answer.
  if (policy.timingAllowOrigin) headers.push(['Timing-Allow-Origin', policy.anyOrigin ? '*' : origin]);
  return headers;
}

/** Headers of an allowed actual request from `origin`. */
export function actualRequestHeaders(policy: HeaderValues, origin: string): ReadonlyArray<readonly [string, string]> {
  return policy.anyOrigin ? policy.publicHeaders : answerHeaders(policy, origin);
}

/** Headers of an allowed preflight from `origin`. */
export function preflightHeaders(policy: HeaderValues, origin: string): ReadonlyArray<readonly [string, string]> {
  const headers = originHeaders(policy, origin);
  headers.push(['Access-Control-Allow-Methods', policy.allowMethodsValue]);
  if (policy.allowHeadersValue !== undefined) headers.push(['Access-Control-Allow-Headers', policy.allowHeadersValue]);
  headers.push(['Access-Control-Max-Age', policy.maxAgeValue]);
  return headers;
}
