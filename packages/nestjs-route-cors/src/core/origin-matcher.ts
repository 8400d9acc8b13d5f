/**
 * Origin matching on the request path: a Set lookup, then the pre-split
 * patterns, then (only if the application gave one) the predicate.
 */
import { MAX_HOST_LENGTH } from './origin-syntax.js';
import type { CompiledCorsPolicy, OriginPattern, PredicateVerdict } from './policy.js';

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

/**
 * Tries each domain the origin's host ends with (`a.b.example.com` →
 * `.b.example.com`, `.example.com`, `.com`) against the pattern index: the
 * cost grows with the origin's labels, never with the number of patterns.
 */
function matchesAnyPattern(policy: CompiledCorsPolicy, origin: string): boolean {
  const schemeEnd = origin.indexOf('://');
  if (policy.patternIndex.size === 0 || schemeEnd === -1) {
    return false;
  }
  const hostStart = schemeEnd + 3;
  const portStart = origin.indexOf(':', hostStart);
  const hostEnd = portStart === -1 ? origin.length : portStart;
  if (hostEnd - hostStart > MAX_HOST_LENGTH) {
    return false;
  }
  const scheme = origin.slice(0, hostStart);
  const port = origin.slice(hostEnd);
  for (let dot = origin.indexOf('.', hostStart); dot !== -1 && dot < hostEnd; dot = origin.indexOf('.', dot + 1)) {
    const pattern = policy.patternIndex.get(scheme + origin.slice(dot, hostEnd) + port);
    if (pattern && matchesPattern(pattern, origin)) {
      return true;
    }
  }
  return false;
}

/** Whether the static part of the policy (list and patterns) allows the origin. */
export function isListedOrigin(policy: CompiledCorsPolicy, origin: string): boolean {
  return policy.anyOrigin || policy.exactOrigins.has(origin) || matchesAnyPattern(policy, origin);
}

/**
 * Which static part of the policy allows the origin, for decision events:
 * asked only when someone listens, never by the decision itself.
 */
export function staticOriginMatch(
  policy: CompiledCorsPolicy,
  origin: string,
): 'public' | 'listed' | 'pattern' | undefined {
  if (policy.anyOrigin) return 'public';
  if (policy.exactOrigins.has(origin)) return 'listed';
  return isSingleOrigin(origin) && matchesAnyPattern(policy, origin) ? 'pattern' : undefined;
}

export type OriginVerdict = PredicateVerdict;

const ALLOWED: OriginVerdict = { allowed: true };
const REFUSED: OriginVerdict = { allowed: false };

/**
 * Decides the origin. Synchronous unless the policy has a predicate, the
 * origin is not listed and its answer is neither cached nor synchronous, so
 * the common path allocates nothing.
 */
export function checkOrigin(policy: CompiledCorsPolicy, origin: string): OriginVerdict | Promise<OriginVerdict> {
  if (!isSingleOrigin(origin)) {
    return REFUSED;
  }
  if (isListedOrigin(policy, origin)) {
    return ALLOWED;
  }
  return policy.originPredicate === undefined ? REFUSED : policy.originPredicate.check(origin);
}
