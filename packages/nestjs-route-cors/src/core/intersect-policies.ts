/**
 * The policy that allows only what every one of several policies allows. A
 * preflight on a path where a version header picks the handler cannot tell
 * which handler the actual request will reach (the preflight carries header
 * names, not values), so it is answered by what all the candidates allow.
 * Computed once, at start-up.
 */
import { compilePolicy } from './compile-policy.js';
import { checkOrigin, isListedOrigin } from './origin-matcher.js';
import {
  type CompiledCorsPolicy,
  type CorsMode,
  type CorsPolicyOptions,
  CROSS_ORIGIN_RESOURCE_POLICIES,
  type CrossOriginResourcePolicy,
  type OriginPattern,
} from './policy.js';

/** Whether every origin `inner` matches is matched by `outer` (same scheme and port, a domain under outer's). */
function patternCovers(outer: OriginPattern, inner: OriginPattern): boolean {
  return outer.schemePrefix === inner.schemePrefix && inner.hostSuffix.endsWith(outer.hostSuffix);
}

function allowsPattern(policy: CompiledCorsPolicy, pattern: OriginPattern): boolean {
  return policy.anyOrigin || policy.patterns.some((outer) => patternCovers(outer, pattern));
}

/** The list entries every policy allows: exact origins all of them list, patterns all of them cover. */
function commonOrigins(policies: readonly CompiledCorsPolicy[]): '*' | string[] {
  if (policies.every((p) => p.anyOrigin)) {
    return '*';
  }
  const exact = new Set(policies.flatMap((p) => [...p.exactOrigins]));
  const patterns = policies.flatMap((p) => p.patterns);
  return [
    ...[...exact].filter((origin) => policies.every((p) => isListedOrigin(p, origin))),
    ...new Set(patterns.filter((pattern) => policies.every((p) => allowsPattern(p, pattern))).map((p) => p.source)),
  ];
}

/** Values every list holds (case-insensitively), in the first list's order and spelling. */
function commonValues(lists: ReadonlyArray<readonly string[]>): string[] {
  const [first = [], ...rest] = lists;
  const others = rest.map((list) => new Set(list.map((v) => v.toLowerCase())));
  return first.filter((value) => others.every((set) => set.has(value.toLowerCase())));
}

/**
 * Allowed only if every policy allows it, each by its own rules (list,
 * patterns, predicate). A member's predicate failure or timeout is thrown on,
 * so the preflight reports and logs it as the member's own request would.
 */
function allPoliciesAllow(policies: readonly CompiledCorsPolicy[]): (origin: string) => Promise<boolean> {
  return async (origin) => {
    const verdicts = await Promise.all(policies.map((policy) => Promise.resolve(checkOrigin(policy, origin))));
    for (const verdict of verdicts) {
      if ('failure' in verdict) {
        throw verdict.failure === 'timeout'
          ? new Error(`did not answer within ${verdict.timeoutMs} ms`)
          : verdict.error;
      }
    }
    return verdicts.every((verdict) => verdict.allowed);
  };
}

/** The combined predicate waits as long as the slowest member's own deadline, not the default. */
function slowestDeadline(policies: readonly CompiledCorsPolicy[]): number {
  return Math.max(...policies.map((p) => p.originPredicate?.timeoutMs ?? 0));
}

/** The strictest of the policies' resource policies; unset if one leaves it unset. */
function strictestResourcePolicy(
  values: ReadonlyArray<CrossOriginResourcePolicy | undefined>,
): CrossOriginResourcePolicy | undefined {
  if (values.some((value) => value === undefined)) return undefined;
  return CROSS_ORIGIN_RESOURCE_POLICIES.find((policy) => values.includes(policy));
}

/** The candidates' one mode, if they agree on it; otherwise enforced (a candidate without a mode takes the module's). */
function commonMode(modes: ReadonlyArray<CorsMode | undefined>): CorsMode | undefined {
  const [first] = modes;
  return modes.every((mode) => mode === first) ? first : 'enforce';
}

export function intersectPolicies(policies: readonly CompiledCorsPolicy[]): CompiledCorsPolicy {
  const declared = policies.map((p) => p.declared);
  const origins = commonOrigins(policies);
  const options: CorsPolicyOptions = {
    origins,
    // The lists above are exact unless a predicate is involved; then each origin they miss is put to every policy.
    ...(origins !== '*' && policies.some((p) => p.originPredicate !== undefined)
      ? { originPredicate: allPoliciesAllow(policies), originPredicateTimeout: slowestDeadline(policies) }
      : {}),
    methods: commonValues(declared.map((d) => d.methods)),
    allowedHeaders: commonValues(declared.map((d) => d.allowedHeaders)),
    exposedHeaders: commonValues(declared.map((d) => d.exposedHeaders)),
    credentials: declared.every((d) => d.credentials),
    maxAge: Math.min(...declared.map((d) => d.maxAge)),
    strict: declared.some((d) => d.strict),
    // Only actual requests read these, and they are answered by one handler's policy: kept consistent, not used.
    resourcePolicy: strictestResourcePolicy(declared.map((d) => d.resourcePolicy)),
    timingAllowOrigin: declared.every((d) => d.timingAllowOrigin),
    // The common origins are among each member's, which compiled with what it tolerates.
    tolerate: [...new Set(declared.flatMap((d) => d.tolerate))],
    // Reported only if every candidate only reports: an enforced one must not lose its answer to another's mode.
    mode: commonMode(declared.map((d) => d.mode)),
  };
  return compilePolicy(policies.map((p) => p.name).join('&'), options);
}
