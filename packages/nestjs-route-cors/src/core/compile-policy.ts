/**
 * Parses, validates and normalises a policy once, at start-up. Every problem
 * is collected and reported in one error that names the policy and the
 * setting, so a bad configuration stops the service before it listens.
 */
import { answerHeaders, NO_HEADERS } from './answer-headers.js';
import { CorsPolicyError } from './errors.js';
import { isOriginPattern, normaliseOrigin, OriginSyntaxError, parseOriginPattern } from './origin-syntax.js';
import { OriginPredicateRunner } from './origin-predicate.js';
import {
  type CompiledCorsPolicy,
  CORS_MODES,
  type CorsMode,
  type CorsPolicyOptions,
  CROSS_ORIGIN_RESOURCE_POLICIES,
  type CrossOriginResourcePolicy,
  type NormalisedPolicyOptions,
  type OriginPattern,
  type OriginPredicateCacheOptions,
  type ToleratedCase,
  type ToleratedRisk,
} from './policy.js';
import { isToleratedRisk, refusalOf, TOLERABLE_RISKS, unsafeOrigins } from './unsafe-origins.js';

export const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD', 'POST'];
export const DEFAULT_MAX_AGE = 600;
/** A database lookup that has not answered in a second is not going to help the request waiting for it. */
export const DEFAULT_PREDICATE_TIMEOUT_MS = 1_000;
const MAX_PREDICATE_TIMEOUT_MS = 60_000;
const MAX_CACHED_ORIGINS = 1_000_000;
/** Firefox caps preflight caching at 24 h (Chromium at 2 h): more is a mistake. */
export const MAX_MAX_AGE = 86_400;

/** RFC 9110 §5.6.2 token: what a method or a header name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const KNOWN_SETTINGS: ReadonlySet<string> = new Set([
  'origins',
  'originPredicate',
  'originPredicateTimeout',
  'originPredicateCache',
  'methods',
  'allowedHeaders',
  'exposedHeaders',
  'credentials',
  'maxAge',
  'strict',
  'resourcePolicy',
  'timingAllowOrigin',
  'tolerate',
  'mode',
]);

interface OriginRules {
  anyOrigin: boolean;
  exact: string[];
  patterns: OriginPattern[];
}

function compileOrigins(origins: CorsPolicyOptions['origins'], problems: string[]): OriginRules {
  const rules: OriginRules = { anyOrigin: false, exact: [], patterns: [] };
  if (origins === undefined) {
    return rules;
  }
  if (origins === '*') {
    rules.anyOrigin = true;
    return rules;
  }
  if (!Array.isArray(origins)) {
    problems.push(`origins must be '*' or a list of origins`);
    return rules;
  }
  for (const entry of origins as readonly unknown[]) {
    if (typeof entry !== 'string') {
      problems.push(`origins entry ${JSON.stringify(entry)} is not a string`);
    } else if (entry === '*') {
      problems.push(`origins entry '*' must stand alone: write origins: '*'`);
    } else {
      try {
        if (isOriginPattern(entry)) {
          rules.patterns.push(parseOriginPattern(entry));
        } else {
          rules.exact.push(normaliseOrigin(entry));
        }
      } catch (error) {
        if (!(error instanceof OriginSyntaxError)) throw error;
        problems.push(`origins entry ${error.message}`);
      }
    }
  }
  return rules;
}

/** Validates a list of tokens; duplicates (case-insensitive) keep the first spelling. */
function compileTokens(setting: string, values: readonly string[] | undefined, problems: string[]): string[] {
  if (values === undefined) {
    return [];
  }
  if (!Array.isArray(values)) {
    problems.push(`${setting} must be a list`);
    return [];
  }
  const seen = new Set<string>();
  const tokens: string[] = [];
  for (const value of values as readonly unknown[]) {
    if (value === '*') {
      problems.push(`${setting} entry '*' is not supported: list the names explicitly`);
    } else if (typeof value !== 'string' || !TOKEN.test(value)) {
      problems.push(`${setting} entry ${JSON.stringify(value)} is not a valid HTTP token`);
    } else if (!seen.has(value.toLowerCase())) {
      seen.add(value.toLowerCase());
      tokens.push(value);
    }
  }
  return tokens;
}

function compileMethods(values: readonly string[] | undefined, problems: string[]): string[] {
  const methods = compileTokens('methods', values ?? DEFAULT_METHODS, problems).map((m) => m.toUpperCase());
  // Express serves HEAD with the GET handler, so a GET policy covers HEAD.
  if (methods.includes('GET') && !methods.includes('HEAD')) {
    methods.splice(methods.indexOf('GET') + 1, 0, 'HEAD');
  }
  return methods;
}

function compileBoolean(setting: string, value: boolean | undefined, problems: string[]): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    problems.push(`${setting} must be true or false`);
  }
  return value === true;
}

function compileMaxAge(value: number | undefined, problems: string[]): number {
  if (value === undefined) {
    return DEFAULT_MAX_AGE;
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_MAX_AGE) {
    problems.push(`maxAge ${JSON.stringify(value)} must be a whole number of seconds from 0 to ${MAX_MAX_AGE}`);
  }
  return value;
}

/** What a browser keeps a preflight answer at most (seconds): Chromium since v76, WebKit; Firefox keeps MAX_MAX_AGE. */
export const PREFLIGHT_CACHE_CAPS = { chromium: 7_200, webkit: 600 } as const;

function isResourcePolicy(value: unknown): value is CrossOriginResourcePolicy {
  return CROSS_ORIGIN_RESOURCE_POLICIES.some((policy) => policy === value);
}

function compileResourcePolicy(
  value: CrossOriginResourcePolicy | undefined,
  anyOrigin: boolean,
  problems: string[],
): CrossOriginResourcePolicy | undefined {
  if (value === undefined) {
    // A public policy's answers are for every site, embedded too: CORP same-origin would block an <img> CORS allows.
    return anyOrigin ? 'cross-origin' : undefined;
  }
  if (!isResourcePolicy(value)) {
    problems.push(
      `resourcePolicy ${JSON.stringify(value)} must be one of ${CROSS_ORIGIN_RESOURCE_POLICIES.map((p) => `'${p}'`).join(', ')}`,
    );
    return undefined;
  }
  return value;
}

function isWholeNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function compilePredicateTimeout(value: number | undefined, problems: string[]): number {
  if (value === undefined) {
    return DEFAULT_PREDICATE_TIMEOUT_MS;
  }
  if (!isWholeNumberIn(value, 1, MAX_PREDICATE_TIMEOUT_MS)) {
    problems.push(
      `originPredicateTimeout ${JSON.stringify(value)} must be a whole number of milliseconds from 1 to ${MAX_PREDICATE_TIMEOUT_MS}`,
    );
  }
  return value;
}

function compilePredicateCache(
  value: OriginPredicateCacheOptions | undefined,
  problems: string[],
): OriginPredicateCacheOptions | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) {
    problems.push('originPredicateCache must be { ttl, negativeTtl?, max }');
    return undefined;
  }
  const { ttl, negativeTtl, max } = value;
  if (!isWholeNumberIn(ttl, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push(`originPredicateCache.ttl ${JSON.stringify(ttl)} must be a positive whole number of milliseconds`);
  }
  if (negativeTtl !== undefined && !isWholeNumberIn(negativeTtl, 0, Number.MAX_SAFE_INTEGER)) {
    problems.push(
      `originPredicateCache.negativeTtl ${JSON.stringify(negativeTtl)} must be a whole number of milliseconds`,
    );
  }
  if (!isWholeNumberIn(max, 1, MAX_CACHED_ORIGINS)) {
    problems.push(
      `originPredicateCache.max ${JSON.stringify(max)} must be a whole number from 1 to ${MAX_CACHED_ORIGINS}`,
    );
  }
  // A copy: the application may not change the bounds of a compiled policy.
  return { ttl, negativeTtl, max };
}

/** Also validates the module's own `mode` (`CorsModule`), with the setting named as there. */
export function compileMode(value: CorsMode | undefined, problems: string[], setting = 'mode'): CorsMode | undefined {
  if (value !== undefined && !CORS_MODES.includes(value)) {
    problems.push(`${setting} ${JSON.stringify(value)} must be one of ${CORS_MODES.map((m) => `'${m}'`).join(', ')}`);
    return undefined;
  }
  return value;
}

function compileTolerate(values: readonly ToleratedRisk[] | undefined, problems: string[]): ToleratedRisk[] {
  if (values === undefined) return [];
  if (!Array.isArray(values)) {
    problems.push('tolerate must be a list');
    return [];
  }
  for (const value of values as readonly unknown[]) {
    if (!isToleratedRisk(value))
      problems.push(
        `tolerate entry ${JSON.stringify(value)} is none of ${TOLERABLE_RISKS.map((r) => `'${r}'`).join(', ')}`,
      );
  }
  return [...new Set(values.filter(isToleratedRisk))];
}

/** The unsafe entries of the allowlist; those `tolerate` does not name are problems. */
function toleratedCases(
  origins: OriginRules,
  credentials: boolean,
  tolerate: readonly ToleratedRisk[],
  problems: string[],
): ToleratedCase[] {
  const cases = unsafeOrigins(origins.exact, origins.patterns, credentials);
  problems.push(...cases.filter((unsafe) => !tolerate.includes(unsafe.risk)).map(refusalOf));
  return cases;
}

/**
 * Validates `options` and returns the compiled policy, or throws a
 * {@link CorsPolicyError} naming every bad setting. Never mutates `options`.
 */
export function compilePolicy(name: string, options: CorsPolicyOptions): CompiledCorsPolicy {
  const problems: string[] = [];
  for (const key of Object.keys(options)) {
    if (!KNOWN_SETTINGS.has(key)) {
      problems.push(`unknown setting '${key}' (known: ${[...KNOWN_SETTINGS].join(', ')})`);
    }
  }
  const origins = compileOrigins(options.origins, problems);
  const methods = compileMethods(options.methods, problems);
  const allowedHeaders = compileTokens('allowedHeaders', options.allowedHeaders, problems);
  const exposedHeaders = compileTokens('exposedHeaders', options.exposedHeaders, problems);
  const credentials = compileBoolean('credentials', options.credentials, problems);
  const strict = compileBoolean('strict', options.strict, problems);
  const maxAge = compileMaxAge(options.maxAge, problems);
  const timingAllowOrigin = compileBoolean('timingAllowOrigin', options.timingAllowOrigin, problems);
  const resourcePolicy = compileResourcePolicy(options.resourcePolicy, origins.anyOrigin, problems);
  const tolerate = compileTolerate(options.tolerate, problems);
  const tolerated = toleratedCases(origins, credentials, tolerate, problems);
  const mode = compileMode(options.mode, problems);
  const predicate = options.originPredicate;
  if (predicate !== undefined && typeof predicate !== 'function') {
    problems.push('originPredicate must be a function');
  }
  const predicateTimeout = compilePredicateTimeout(options.originPredicateTimeout, problems);
  const predicateCache = compilePredicateCache(options.originPredicateCache, problems);
  if (predicate === undefined && (options.originPredicateTimeout !== undefined || predicateCache !== undefined)) {
    problems.push('originPredicateTimeout and originPredicateCache need an originPredicate');
  }
  if (origins.anyOrigin && credentials) {
    // Fetch standard §3.2.5: browsers refuse `*` on credentialed responses, and
    // reflecting any origin instead would hand every site the user's session.
    problems.push(`origins '*' cannot be combined with credentials: true; list the allowed origins`);
  }
  if (origins.anyOrigin && predicate !== undefined) {
    problems.push(`origins '*' already allows every origin; remove originPredicate`);
  }
  if (problems.length > 0) {
    throw new CorsPolicyError(name, problems);
  }

  const declared: NormalisedPolicyOptions = {
    origins: origins.anyOrigin ? '*' : [...origins.exact, ...origins.patterns.map((p) => p.source)],
    hasOriginPredicate: predicate !== undefined,
    methods,
    allowedHeaders,
    exposedHeaders,
    credentials,
    maxAge,
    strict,
    resourcePolicy,
    timingAllowOrigin,
    tolerate,
    tolerated,
    mode,
  };
  const headerValues = {
    anyOrigin: origins.anyOrigin,
    credentials,
    exposeHeadersValue: exposedHeaders.length > 0 ? exposedHeaders.join(', ') : undefined,
    timingAllowOrigin,
  };
  return {
    name,
    anyOrigin: origins.anyOrigin,
    exactOrigins: new Set(origins.exact),
    patterns: origins.patterns,
    patternIndex: new Map(origins.patterns.map((p) => [p.schemePrefix + p.hostSuffix, p])),
    originPredicate: predicate && new OriginPredicateRunner(predicate, predicateTimeout, predicateCache),
    methods: new Set(methods),
    allowedHeaders: new Set(allowedHeaders.map((h) => h.toLowerCase())),
    credentials,
    strict,
    allowMethodsValue: methods.join(', '),
    allowHeadersValue: allowedHeaders.length > 0 ? allowedHeaders.join(', ') : undefined,
    exposeHeadersValue: headerValues.exposeHeadersValue,
    maxAgeValue: String(maxAge),
    resourcePolicy,
    timingAllowOrigin,
    publicHeaders: origins.anyOrigin
      ? answerHeaders({ ...headerValues, allowMethodsValue: '', allowHeadersValue: undefined, maxAgeValue: '' }, '*')
      : NO_HEADERS,
    mode,
    declared,
  };
}

function union<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): readonly T[] | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return [...a, ...b];
}

/**
 * Combines a controller's policy with a handler's when the handler asks for a
 * merge: lists are united (`'*'` absorbs any list), the handler's scalars win.
 */
export function mergePolicyOptions(base: CorsPolicyOptions, override: CorsPolicyOptions): CorsPolicyOptions {
  const origins = base.origins === '*' || override.origins === '*' ? '*' : union(base.origins, override.origins);
  return {
    ...base,
    ...override,
    origins,
    methods: union(base.methods, override.methods),
    allowedHeaders: union(base.allowedHeaders, override.allowedHeaders),
    exposedHeaders: union(base.exposedHeaders, override.exposedHeaders),
    // What either side tolerates, the merged policy may hold (e.g. the controller's pattern).
    tolerate: union(base.tolerate, override.tolerate),
  };
}
