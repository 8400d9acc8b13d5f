/**
 * Origin matching on the request path: a Set lookup, then the pre-split
 * patterns, then (only if the application gave one) the predicate.
 */
import type { CompiledCorsPolicy, OriginPattern } from './policy.js';

/** One or more DNS labels, lower case, as browsers serialise hosts. */
const SUBDOMAIN_LABELS = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Browsers send exactly one serialised origin. A comma means several `Origin`
 * headers were joined by Node, which no browser does: refuse rather than guess.
 */
export function isSingleOrigin(origin: string): boolean {
  return !origin.includes(',');
}

export function matchesPattern(pattern: OriginPattern, origin: string): boolean {
  if (!origin.startsWith(pattern.schemePrefix) || !origin.endsWith(pattern.hostSuffix)) {
    return false;
  }
  const labels = origin.slice(pattern.schemePrefix.length, origin.length - pattern.hostSuffix.length);
  // The length bound comes first: it also keeps the regular expression's input short.
  return labels.length <= pattern.maxLabelsLength && SUBDOMAIN_LABELS.test(labels);
}

/** Whether the static part of the policy (list and patterns) allows the origin. */
export function isListedOrigin(policy: CompiledCorsPolicy, origin: string): boolean {
  if (policy.anyOrigin || policy.exactOrigins.has(origin)) {
    return true;
  }
  for (const pattern of policy.patterns) {
    if (matchesPattern(pattern, origin)) {
      return true;
    }
  }
  return false;
}

export type OriginVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly predicateError?: unknown };

const ALLOWED: OriginVerdict = { allowed: true };
const REFUSED: OriginVerdict = { allowed: false };

/**
 * Decides the origin. Synchronous unless the policy has a predicate and the
 * origin is not listed, so the common path allocates nothing.
 */
export function checkOrigin(policy: CompiledCorsPolicy, origin: string): OriginVerdict | Promise<OriginVerdict> {
  if (!isSingleOrigin(origin)) {
    return REFUSED;
  }
  if (isListedOrigin(policy, origin)) {
    return ALLOWED;
  }
  const predicate = policy.originPredicate;
  if (!predicate) {
    return REFUSED;
  }
  try {
    const answer = predicate(origin);
    if (typeof answer === 'boolean') {
      return answer ? ALLOWED : REFUSED;
    }
    return Promise.resolve(answer).then(
      (allowed) => (allowed === true ? ALLOWED : REFUSED),
      (error: unknown) => ({ allowed: false, predicateError: error }),
    );
  } catch (error) {
    return { allowed: false, predicateError: error };
  }
}
