/**
 * A CORS policy as an application declares it, and the compiled form the
 * request path uses. Framework-free: nothing here imports Nest.
 */
/**
 * Decides an origin that the static allowlist does not contain, e.g. with a
 * database lookup. A throw, a rejection or a late answer refuses the origin.
 */
export type OriginPredicate = (origin: string) => boolean | Promise<boolean>;

export interface OriginPredicateCacheOptions {
  /** Milliseconds an allowed origin is kept. */
  readonly ttl: number;
  /** Milliseconds a refused origin is kept. @default 0 (refusals are asked again) */
  readonly negativeTtl?: number;
  /** The most recently used origins always kept; at most twice as many are (two generations). */
  readonly max: number;
}

/** A policy as written by the application author. */
export interface CorsPolicyOptions {
  /**
   * Exact origins (`https://app.example.com`), subdomain patterns
   * (`https://*.example.com`: one or more labels, same scheme and port), the
   * literal `null`, or `'*'` alone for a public resource.
   * @default [] (no origin is allowed)
   */
  readonly origins?: '*' | readonly string[];
  /**
   * Consulted for origins the list does not contain (e.g. a database
   * lookup). A throw, a rejection, an answer that is not a boolean or no
   * answer within `originPredicateTimeout` refuses the origin: never a 500,
   * never a hanging request. Concurrent requests from one origin share a call.
   */
  readonly originPredicate?: OriginPredicate;
  /**
   * Milliseconds the predicate may take; past them the origin is refused and
   * the late answer is ignored.
   * @default 1000
   */
  readonly originPredicateTimeout?: number;
  /**
   * Keep the predicate's answers per origin: the `max` most recently used
   * always, at most 2 × max (least recently used out first). Failures and
   * timeouts are never kept.
   * @default undefined (every request asks the predicate)
   */
  readonly originPredicateCache?: OriginPredicateCacheOptions;
  /**
   * Methods a cross-origin request may use. `GET` implies `HEAD`.
   * @default ['GET', 'HEAD', 'POST']
   */
  readonly methods?: readonly string[];
  /**
   * Request headers a preflight may ask for (compared case-insensitively).
   * @default []
   */
  readonly allowedHeaders?: readonly string[];
  /**
   * Response headers the page's JavaScript may read.
   * @default []
   */
  readonly exposedHeaders?: readonly string[];
  /**
   * Whether cookies and HTTP authentication may accompany requests.
   * Never together with `origins: '*'`.
   * @default false
   */
  readonly credentials?: boolean;
  /**
   * How long (seconds) a browser may cache a preflight answer.
   * @default 600
   */
  readonly maxAge?: number;
  /**
   * Refuse actual requests from a disallowed origin with 403 before the
   * handler runs, instead of running it and withholding the CORS headers.
   * Protects handlers with side effects from "simple" cross-origin requests,
   * which browsers send without a preflight.
   * @default false
   */
  readonly strict?: boolean;
  /**
   * `Cross-Origin-Resource-Policy` on the route's answers: who may embed them
   * with `<img>`, `<script>` or `<link>` (no-cors loads, which CORS does not
   * govern). Replaces the app's own value, e.g. `useSecurityHeaders()`'s
   * `same-origin`, on this route only.
   * @default 'cross-origin' for `origins: '*'` (public means embeddable); otherwise unset (the app's header stays)
   */
  readonly resourcePolicy?: CrossOriginResourcePolicy;
  /**
   * Send `Timing-Allow-Origin` with the same value as `Access-Control-Allow-Origin`
   * on allowed actual answers, so the page can read their Resource Timing
   * phases and `Server-Timing` (Fetch, "TAO check"). Never on refused ones.
   * @default false
   */
  readonly timingAllowOrigin?: boolean;
  /**
   * Unsafe allowlist entries the policy accepts knowingly, by name; each
   * stays visible in `cors:routes` and the audit. Without it start-up
   * refuses a pattern whose wildcard covers a public suffix
   * (`'public-suffix-pattern'`), `'null'` with credentials
   * (`'null-origin-with-credentials'`) and an `http://` origin other than
   * loopback with credentials (`'insecure-origin-with-credentials'`).
   * @default []
   */
  readonly tolerate?: readonly ToleratedRisk[];
  /**
   * `'report-only'`: decide every request as `'enforce'` would, but write no
   * CORS header and end nothing (no 204, no 403, `strict` refuses nothing,
   * no CSRF mark); where the answer the application sent disagrees with the
   * policy's, a decision event and a log line say so. Overrides the
   * module's `mode` for this policy's routes.
   * @default the module's mode ('enforce' unless CorsModule says otherwise)
   */
  readonly mode?: CorsMode;
}

/** Whether a policy's answers are written (`'enforce'`) or only compared with what the application sent. */
export type CorsMode = 'enforce' | 'report-only';

/** Every mode, frozen: the module validates against it, so no caller may add one. */
export const CORS_MODES: readonly CorsMode[] = Object.freeze(['enforce', 'report-only'] as const);

/** A refused case a policy's `tolerate` may name (src/core/unsafe-origins.ts). */
export type ToleratedRisk =
  'public-suffix-pattern' | 'null-origin-with-credentials' | 'insecure-origin-with-credentials';

/** One unsafe allowlist entry, and why it is one. */
export interface ToleratedCase {
  readonly risk: ToleratedRisk;
  readonly entry: string;
  readonly reason: string;
}

/** The values of `Cross-Origin-Resource-Policy` (Fetch §3.7), from the strictest. */
export const CROSS_ORIGIN_RESOURCE_POLICIES = ['same-origin', 'same-site', 'cross-origin'] as const;
export type CrossOriginResourcePolicy = (typeof CROSS_ORIGIN_RESOURCE_POLICIES)[number];

/** A `*.example.com` style pattern, split once at start-up. */
export interface OriginPattern {
  /** As written (normalised), for reports and error messages. */
  readonly source: string;
  /** `https://` */
  readonly schemePrefix: string;
  /** `.example.com` or `.example.com:8443`: what must follow the labels. */
  readonly hostSuffix: string;
  /** Longest the labels before the domain may be: a host name has at most 253 characters (RFC 1035). */
  readonly maxLabelsLength: number;
}

/** How the origin predicate answered one origin. */
export type PredicateVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false }
  /** It threw, rejected or answered something other than a boolean. */
  | { readonly allowed: false; readonly failure: 'error'; readonly error: unknown }
  /** It did not answer within the deadline; a late answer is ignored. */
  | { readonly allowed: false; readonly failure: 'timeout'; readonly timeoutMs: number };

/** What a predicate cache did, for metrics and tests. */
export interface PredicateCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

/**
 * An `originPredicate` behind its deadline, in-flight sharing and cache
 * (`OriginPredicateRunner`); declared here so that the policy types depend
 * on nothing.
 */
export interface GuardedOriginPredicate {
  readonly timeoutMs: number;
  check(origin: string): PredicateVerdict | Promise<PredicateVerdict>;
  stats(): PredicateCacheStats | undefined;
}

/** A policy validated and normalised once, ready for the request path. */
export interface CompiledCorsPolicy {
  readonly name: string;
  readonly anyOrigin: boolean;
  readonly exactOrigins: ReadonlySet<string>;
  readonly patterns: readonly OriginPattern[];
  /** The patterns by `schemePrefix + hostSuffix`, so matching costs a lookup per label, not per pattern. */
  readonly patternIndex: ReadonlyMap<string, OriginPattern>;
  /** The predicate behind its deadline, in-flight sharing and cache; undefined without one. */
  readonly originPredicate: GuardedOriginPredicate | undefined;
  readonly methods: ReadonlySet<string>;
  readonly allowedHeaders: ReadonlySet<string>;
  readonly credentials: boolean;
  readonly strict: boolean;
  /** Header values computed once, so the request path only copies them. */
  readonly allowMethodsValue: string;
  readonly allowHeadersValue: string | undefined;
  readonly exposeHeadersValue: string | undefined;
  readonly maxAgeValue: string;
  /** `Cross-Origin-Resource-Policy` for the route's answers; undefined: the app's own header stays. */
  readonly resourcePolicy: CrossOriginResourcePolicy | undefined;
  readonly timingAllowOrigin: boolean;
  /** A public policy's actual-request headers, the same for every origin; empty otherwise. */
  readonly publicHeaders: ReadonlyArray<readonly [string, string]>;
  /** The policy's own `mode`; undefined: the module's. */
  readonly mode: CorsMode | undefined;
  /** The options after normalisation, for reports (`cors:routes`) and merges. */
  readonly declared: NormalisedPolicyOptions;
}

/** What a policy allows, in the normalised form reports print. */
export interface NormalisedPolicyOptions {
  readonly origins: '*' | readonly string[];
  readonly hasOriginPredicate: boolean;
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly credentials: boolean;
  readonly maxAge: number;
  readonly strict: boolean;
  readonly resourcePolicy: CrossOriginResourcePolicy | undefined;
  readonly timingAllowOrigin: boolean;
  /** The risks `tolerate` names. */
  readonly tolerate: readonly ToleratedRisk[];
  /** The unsafe entries the policy has, every one tolerated (else it would not compile). */
  readonly tolerated: readonly ToleratedCase[];
  /** The policy's own `mode`; undefined: the module's. */
  readonly mode: CorsMode | undefined;
}

/** What `@Cors()` declares on a controller or a handler. */
export type CorsDeclaration =
  | { readonly kind: 'named'; readonly name: string; readonly merge: boolean }
  | { readonly kind: 'inline'; readonly options: CorsPolicyOptions; readonly merge: boolean }
  | { readonly kind: 'disabled' };
