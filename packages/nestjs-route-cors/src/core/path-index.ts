/**
 * Finds the route that serves a request before the router runs: preflights
 * have no route of their own, and actual requests are decided ahead of the
 * body parser. Candidates keep the router's order and its matching rules
 * (path-to-regexp as Express 5's router calls it), so the route found here is
 * the one whose handler the router will call. Literal paths are a Map lookup.
 */
import { match, parse, pathToRegexp, type Token } from 'path-to-regexp';

export interface IndexedRoute<P, R> {
  /** Upper-case method, or `ALL` for a handler serving every method. */
  readonly method: string;
  /** The path as registered with the router. */
  readonly path: string;
  /**
   * The same path in path-to-regexp syntax, where the router writes it
   * otherwise (find-my-way's `:name?` and `*`); undefined: `path` is.
   */
  readonly pattern?: string;
  readonly policy: P | undefined;
  /** Who serves it, e.g. `GreetController.greet`, for reports. */
  readonly handler: string;
  /** `@Controller({ host })` as declared, for reports; undefined when the route serves every host. */
  readonly host: string | undefined;
  readonly servesHost: ((hostname: string) => boolean) | undefined;
  /** The version a header, media-type or custom version filter selects, for reports; undefined without one. */
  readonly version: string | undefined;
  readonly servesVersion: ((request: R) => boolean) | undefined;
  /** A path rule (`CorsModule`'s `paths`), for what no controller declares; absent on controller routes. */
  readonly pathRule?: true;
  /**
   * A route the application added on the adapter that the router tries
   * before Nest's own (Express, before `init()`): it serves its requests
   * under the path rule there, if any, whatever controller route follows.
   */
  readonly adapterRoute?: true;
}

/** The routes matching one request path, in the router's order. */
export interface PathRoutes<P, R> {
  readonly path: string;
  readonly routes: ReadonlyArray<IndexedRoute<P, R>>;
  /** Whether any route here has a policy, i.e. whether its preflights are ours to answer. */
  readonly hasPolicy: boolean;
}

/** What route selection reads from a request besides its path and method. */
export interface RoutedRequest<R> {
  /** The host name the router's host filter sees; read only for host-bound routes. */
  readonly hostname: string;
  /** The request itself, for version filters. */
  readonly request: R;
}

/** The router's own matching settings (Express: `case sensitive routing`, `strict routing`). */
export interface RouterPathOptions {
  readonly caseSensitive: boolean;
  readonly ignoreTrailingSlash: boolean;
  /** The path is looked up already percent-decoded, as find-my-way matches it; undefined: as sent (Express). */
  readonly decoded?: boolean;
}

const DYNAMIC_SEGMENT = /[:*{}()\\]/;
const ASCII = /^[\x20-\x7e]*$/;
const TRAILING_SLASHES = /\/+$/;

function servesMethod(route: IndexedRoute<unknown, never>, method: string): boolean {
  // Express's router lets a GET route answer HEAD (router's Route#_handlesMethod).
  return route.method === method || route.method === 'ALL' || (method === 'HEAD' && route.method === 'GET');
}

function servesHost<R>(route: IndexedRoute<unknown, R>, routed: RoutedRequest<R>): boolean {
  return route.servesHost === undefined || route.servesHost(routed.hostname);
}

/**
 * A route with its place in the router's order, and its path matcher,
 * compiled the first time a request path is tried against it: most literal
 * routes are only ever found by their key, and a policy update rebuilds the
 * index without compiling them again.
 */
class MatchingRoute<P, R> {
  private matcher: ((path: string) => boolean) | undefined;

  constructor(
    readonly route: IndexedRoute<P, R>,
    readonly position: number,
    private readonly options: RouterPathOptions,
  ) {}

  matches(path: string): boolean {
    this.matcher ??= compileMatcher(loosen(patternOf(this.route), this.options), this.options);
    return this.matcher(path);
  }
}

/** A route path without its trailing slashes, as the router compiles it (router's Layer, `loosen`). */
function loosen(path: string, options: RouterPathOptions): string {
  return options.ignoreTrailingSlash && path !== '/' ? path.replace(TRAILING_SLASHES, '') : path;
}

/**
 * A pattern that is a literal path and then a wildcard, its parts: `/assets/*rest`
 * is `/assets/` then one or more characters; `/assets{/*rest}` is `/assets`
 * alone or `/assets/` then one or more. Undefined for any other shape.
 */
function literalThenWildcard(
  pattern: string,
): { readonly base: string; readonly before: string; readonly optional: boolean } | undefined {
  let tokens: Token[];
  try {
    tokens = parse(pattern).tokens;
  } catch {
    return undefined;
  }
  const [first, last, ...more] = tokens;
  if (first?.type !== 'text' || more.length > 0 || !ASCII.test(first.value)) return undefined;
  if (last?.type === 'wildcard') return { base: first.value, before: '', optional: false };
  const [inner, wildcard, ...rest] = last?.type === 'group' ? last.tokens : [];
  if (rest.length > 0) return undefined;
  if (inner?.type === 'wildcard' && wildcard === undefined) return { base: first.value, before: '', optional: true };
  if (inner?.type === 'text' && ASCII.test(inner.value) && wildcard?.type === 'wildcard')
    return { base: first.value, before: inner.value, optional: true };
  return undefined;
}

/**
 * A wildcard takes whatever follows its literal part (path-to-regexp's
 * `[^]+`): the match reads that part of the path only, however long the
 * rest is.
 */
function prefixMatcher(
  shape: { readonly base: string; readonly before: string; readonly optional: boolean },
  options: RouterPathOptions,
): (path: string) => boolean {
  const fold = (text: string): string => (options.caseSensitive ? text : text.toLowerCase());
  const base = fold(shape.base);
  const opening = base + fold(shape.before);
  return (path) => {
    if (path.length > opening.length && fold(path.slice(0, opening.length)) === opening) return true;
    if (!shape.optional || path.length > base.length + 1) return false;
    const folded = fold(path);
    // The group left out: the literal part alone, with the one trailing slash the router ignores.
    return folded === base || (options.ignoreTrailingSlash && folded === `${base}/`);
  };
}

/**
 * The router's test of a path against a pattern: its regular expression
 * (one pass over the path), then, for a path with escapes, the decoding of
 * its parameters, which fails the route for a malformed escape as it fails
 * it in the router. A literal path ending in a wildcard reads only its
 * literal part.
 */
function compileMatcher(pattern: string, options: RouterPathOptions): (path: string) => boolean {
  const tail = literalThenWildcard(pattern);
  if (tail !== undefined) return prefixMatcher(tail, options);
  const settings = { sensitive: options.caseSensitive, end: true, trailing: options.ignoreTrailingSlash };
  const { regexp, keys } = pathToRegexp(pattern, settings);
  const decodes = keys.length > 0 && options.decoded !== true;
  const decoding = decodes ? match(pattern, settings) : undefined;
  return (path) => {
    if (!regexp.test(path)) return false;
    if (decoding === undefined || !path.includes('%')) return true;
    try {
      return decoding(path) !== false;
    } catch {
      // A malformed percent-encoding in a parameter: the router fails it too.
      return false;
    }
  };
}

function isLiteral(path: string): boolean {
  return !DYNAMIC_SEGMENT.test(path) && ASCII.test(path);
}

const NO_CANDIDATES: readonly never[] = Object.freeze([]);

/** The list filed under `key`, made when first needed. */
function filed<T>(byKey: Map<string, T[]>, key: string): T[] {
  let list = byKey.get(key);
  if (list === undefined) {
    list = [];
    byKey.set(key, list);
  }
  return list;
}

/** Two lists in the router's order, as one. */
function mergedInOrder<P, R>(
  a: ReadonlyArray<MatchingRoute<P, R>>,
  b: ReadonlyArray<MatchingRoute<P, R>>,
): ReadonlyArray<MatchingRoute<P, R>> {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return [...a, ...b].sort((x, y) => x.position - y.position);
}

export class RoutePathIndex<P, R> {
  /**
   * Each literal path's routes, computed at its first request and kept:
   * most requests are one Map lookup, and building the index (at start-up,
   * and at every policy update) does not pay for paths never asked for.
   */
  private readonly literalPaths = new Map<string, PathRoutes<P, R>>();
  /** The literal routes by their path as looked up (case folded, trailing slashes loosened). */
  private readonly literalRoutes = new Map<string, Array<MatchingRoute<P, R>>>();
  /**
   * Pattern routes by the literal path before their first dynamic segment
   * (`/api/v1/items` for `/api/v1/items/:id`), so a request tries only the
   * patterns whose literal part it starts with, not every pattern route.
   */
  private readonly patternsByPrefix = new Map<string, Array<MatchingRoute<P, R>>>();
  /** The longest of those prefixes: a path is probed for prefixes up to this length only, however long it is. */
  private readonly longestPrefix: number = 0;
  /** The longest literal path: a longer one (but for a trailing slash) is no literal route's, and is not even hashed. */
  private readonly longestLiteral: number = 0;
  /** Whether a path rule or a route added on the adapter is among the routes: what serves them may read a path otherwise than the router. */
  readonly hasPathRules: boolean;
  private rulePolicyList: ReadonlyArray<P | undefined> | undefined;
  /** The policy of each set of handlers a version could pick among, by their positions in the router's order. */
  private readonly versionRuns = new Map<string, P | undefined>();
  private readonly positions: Map<IndexedRoute<P, R>, number>;

  /**
   * @param routes every route, in the order the router tries them
   * @param intersect the policy allowing only what all of `policies` allow
   */
  constructor(
    private readonly routes: ReadonlyArray<IndexedRoute<P, R>>,
    private readonly options: RouterPathOptions,
    private readonly intersect: (policies: readonly P[]) => P,
  ) {
    this.positions = new Map(routes.map((route, position) => [route, position]));
    this.hasPathRules = routes.some((route) => route.pathRule === true || route.adapterRoute === true);
    for (const [position, route] of routes.entries()) {
      const candidate = new MatchingRoute(route, position, options);
      const pattern = patternOf(route);
      if (isLiteral(pattern)) {
        const key = this.key(loosen(route.path, options));
        filed(this.literalRoutes, key).push(candidate);
        this.longestLiteral = Math.max(this.longestLiteral, key.length);
      } else {
        const prefix = this.literalPrefix(pattern);
        filed(this.patternsByPrefix, prefix).push(candidate);
        this.longestPrefix = Math.max(this.longestPrefix, prefix.length);
      }
    }
    // Compile now the intersections that preflights will need; a set that only a host filter
    // splits off is compiled at its first preflight, once.
    this.versionedPreflights();
  }

  /**
   * Where a version picks the handler: the policy a preflight gets at each
   * such path and method (all hosts counted), for reports.
   */
  versionedPreflights(): Array<{ readonly route: IndexedRoute<P, R>; readonly policy: P | undefined }> {
    const rows: Array<{ readonly route: IndexedRoute<P, R>; readonly policy: P | undefined }> = [];
    const seen = new Set<string>();
    for (const route of this.routes) {
      const entry = route.servesVersion === undefined ? undefined : this.lookup(route.path);
      const run = entry && this.preflightHandlers(entry, route.method, undefined);
      const key = run && `${route.method} ${run.map((r) => this.positions.get(r)).join(',')}`;
      if (run && key !== undefined && !seen.has(key)) {
        seen.add(key);
        rows.push({ route, policy: this.policyOf(run) });
      }
    }
    return rows;
  }

  /**
   * The routes that match `pathname` (the URL's path, as the router reads
   * it), or `undefined`. A bounded number of Map lookups and pattern runs,
   * each reading the path once, whatever its length.
   */
  lookup(pathname: string): PathRoutes<P, R> | undefined {
    if (!this.mayBeLiteral(pathname)) return this.scan(this.candidatesFor(pathname), pathname);
    const key = this.key(pathname);
    return this.literalPaths.get(key) ?? this.literalEntry(key) ?? this.scan(this.candidatesFor(pathname), pathname);
  }

  /** The routes at a literal route's path, kept for its next request; undefined when no literal route has that key. */
  private literalEntry(key: string): PathRoutes<P, R> | undefined {
    const literals = this.literalRoutes.get(key);
    const path = literals?.[0]?.route.path;
    if (literals === undefined || path === undefined) return undefined;
    // The literal routes filed under a key all match its path; only the patterns need trying.
    const patterns = this.patternsFor(key).filter((candidate) => candidate.matches(path));
    const found = mergedInOrder(literals, patterns).map((candidate) => candidate.route);
    const entry = pathRoutes(found[0]?.path ?? path, found);
    this.literalPaths.set(key, entry);
    return entry;
  }

  /** Whether `pathname` is short enough to be a literal route's path (with the one trailing slash the router may ignore). */
  private mayBeLiteral(pathname: string): boolean {
    return pathname.length <= this.longestLiteral + 1;
  }

  /** The routes that may match `pathname`, in the router's order: the literal ones at its path, and the patterns its literal part selects. */
  private candidatesFor(pathname: string): ReadonlyArray<MatchingRoute<P, R>> {
    const patterns = this.patternsFor(this.key(pathname.slice(0, this.longestPrefix + 1)));
    if (!this.mayBeLiteral(pathname)) return patterns;
    const key = this.key(pathname);
    let literal: ReadonlyArray<MatchingRoute<P, R>> = this.literalRoutes.get(key) ?? NO_CANDIDATES;
    if (this.options.ignoreTrailingSlash && key.length > 1 && key.endsWith('/')) {
      // `/items/` is `/items` to the router; a pattern may match it where the literal path does not (`/items/{:id}`).
      literal = mergedInOrder(literal, this.literalRoutes.get(key.slice(0, -1)) ?? NO_CANDIDATES);
    }
    return mergedInOrder(literal, patterns);
  }

  /** The pattern routes whose literal prefix the path starts with (`key`: the path's first characters, as looked up), in the router's order. */
  private patternsFor(key: string): ReadonlyArray<MatchingRoute<P, R>> {
    let found: ReadonlyArray<MatchingRoute<P, R>> = this.patternsByPrefix.get('') ?? NO_CANDIDATES;
    for (
      let slash = key.indexOf('/', 1);
      slash !== -1 && slash <= this.longestPrefix;
      slash = key.indexOf('/', slash + 1)
    ) {
      const bucket = this.patternsByPrefix.get(key.slice(0, slash));
      if (bucket !== undefined) found = mergedInOrder(found, bucket);
    }
    return found;
  }

  /** The path up to its first segment with a parameter, wildcard or group; '' when that is the first one. */
  private literalPrefix(path: string): string {
    const segments = path.split('/');
    const dynamic = segments.findIndex((segment) => DYNAMIC_SEGMENT.test(segment) || !ASCII.test(segment));
    return this.key(segments.slice(0, dynamic === -1 ? segments.length : dynamic).join('/'));
  }

  /**
   * The handlers a preflight for `method` speaks for (Fetch §4.8: it asks
   * about the actual request): the first that serves the method and the
   * host and, while a version filter could pass the request on, the next
   * ones, up to the first without a filter (the router's order). A
   * preflight carries no version, so it gets what all of them allow
   * (`policyOf`). Undefined when no handler serves the method there.
   * `routed` undefined: every host counts (reports).
   */
  preflightHandlers(
    entry: PathRoutes<P, R>,
    method: string,
    routed: RoutedRequest<R> | undefined,
  ): Array<IndexedRoute<P, R>> | undefined {
    const run: Array<IndexedRoute<P, R>> = [];
    for (const route of entry.routes) {
      if (servesMethod(route, method) && (routed === undefined || servesHost(route, routed))) {
        run.push(route.adapterRoute === true ? ruleFor(entry, route) : route);
        if (route.servesVersion === undefined) break;
      }
    }
    return run.length === 0 ? undefined : run;
  }

  /** The policy of every path rule. */
  rulePolicies(): ReadonlyArray<P | undefined> {
    this.rulePolicyList ??= this.routes.filter((route) => route.pathRule === true).map((route) => route.policy);
    return this.rulePolicyList;
  }

  /** One handler: its policy. Several: what all allow, or undefined if one has none; computed once per set. */
  policyOf(run: ReadonlyArray<IndexedRoute<P, R>>): P | undefined {
    if (run.length === 1) {
      return run[0]?.policy;
    }
    const key = run.map((route) => this.positions.get(route)).join(',');
    if (!this.versionRuns.has(key)) {
      const policies = run.map((route) => route.policy);
      this.versionRuns.set(key, policies.every((p): p is P => p !== undefined) ? this.intersect(policies) : undefined);
    }
    return this.versionRuns.get(key);
  }

  /** The routes among `candidates` that match `pathname`, in order, or undefined. */
  private scan(candidates: ReadonlyArray<MatchingRoute<P, R>>, pathname: string): PathRoutes<P, R> | undefined {
    const found: Array<IndexedRoute<P, R>> = [];
    for (const candidate of candidates) {
      if (candidate.matches(pathname)) found.push(candidate.route);
    }
    return found.length === 0 ? undefined : pathRoutes(found[0]?.path ?? pathname, found);
  }

  private key(path: string): string {
    return this.options.caseSensitive ? path : path.toLowerCase();
  }
}

/** What serves a path where an adapter route does: the path rule there, if any (it covers every method), else the adapter route itself, without a policy. */
function ruleFor<P, R>(entry: PathRoutes<P, R>, adapterRoute: IndexedRoute<P, R>): IndexedRoute<P, R> {
  return entry.routes.find((route) => route.pathRule === true) ?? adapterRoute;
}

function patternOf(route: IndexedRoute<unknown, never>): string {
  return route.pattern ?? route.path;
}

function pathRoutes<P, R>(path: string, routes: ReadonlyArray<IndexedRoute<P, R>>): PathRoutes<P, R> {
  return { path, routes, hasPolicy: routes.some((r) => r.policy !== undefined) };
}

/**
 * The route whose handler the router calls: the first that serves the
 * method, the host and the version; among path rules only, with `rulesOnly`.
 */
export function routeForRequest<P, R>(
  entry: PathRoutes<P, R>,
  method: string,
  routed: RoutedRequest<R>,
  rulesOnly = false,
): IndexedRoute<P, R> | undefined {
  for (const route of entry.routes) {
    if (rulesOnly && route.pathRule !== true) continue;
    if (
      servesMethod(route, method) &&
      servesHost(route, routed) &&
      (route.servesVersion === undefined || route.servesVersion(routed.request))
    ) {
      return route.adapterRoute === true ? ruleFor(entry, route) : route;
    }
  }
  return undefined;
}
