/**
 * Finds the route that serves a request before the router runs: preflights
 * have no route of their own, and actual requests are decided ahead of the
 * body parser. Candidates keep the router's order and its matching rules
 * (path-to-regexp as Express 5's router calls it), so the route found here is
 * the one whose handler the router will call. Literal paths are a Map lookup.
 */
import { match } from 'path-to-regexp';
import type { CorsRejection } from './cors-headers.js';

export interface IndexedRoute<P, R> {
  /** Upper-case method, or `ALL` for a handler serving every method. */
  readonly method: string;
  /** The path as registered with the router. */
  readonly path: string;
  readonly policy: P | undefined;
  /** Who serves it, e.g. `GreetController.greet`, for reports. */
  readonly handler: string;
  /** `@Controller({ host })` as declared, for reports; undefined when the route serves every host. */
  readonly host: string | undefined;
  readonly servesHost: ((hostname: string) => boolean) | undefined;
  /** The version a header, media-type or custom version filter selects, for reports; undefined without one. */
  readonly version: string | undefined;
  readonly servesVersion: ((request: R) => boolean) | undefined;
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

export type PreflightTarget<P> =
  | { readonly policy: P; readonly rejection?: undefined }
  | { readonly policy?: undefined; readonly rejection: CorsRejection };

export class RoutePathIndex<P, R> {
  private readonly literalPaths = new Map<string, PathRoutes<P, R>>();
  private readonly patternRoutes: Array<{ readonly route: IndexedRoute<P, R>; readonly matches: (path: string) => boolean }> = [];
  /** For a version-filtered route: the policy every handler a version could select there agrees on. */
  private readonly versionRuns = new Map<IndexedRoute<P, R>, P | undefined>();

  /**
   * @param routes every route, in the order the router tries them
   * @param intersect the policy allowing only what all of `policies` allow
   */
  constructor(
    routes: ReadonlyArray<IndexedRoute<P, R>>,
    private readonly options: RouterPathOptions,
    intersect: (policies: readonly P[]) => P,
  ) {
    const matchers = routes.map((route) => ({ route, matches: this.matcher(route.path) }));
    for (const { route, matches } of matchers) {
      if (this.isLiteral(route.path)) {
        const key = this.key(this.loosen(route.path));
        if (!this.literalPaths.has(key)) {
          // Every route the router would try for this path, patterns included, in its order.
          this.literalPaths.set(key, pathRoutes(route.path, matchers.filter((m) => m.matches(route.path)).map((m) => m.route)));
        }
      } else {
        this.patternRoutes.push({ route, matches });
      }
    }
    for (const route of routes) {
      if (route.servesVersion !== undefined) {
        this.versionRuns.set(route, versionRunPolicy(routes, route, intersect));
      }
    }
  }

  /**
   * Where a version picks the handler: the policy a preflight gets at each
   * such route (the first of its path, method and host), for reports.
   */
  versionedPreflights(): Array<{ readonly route: IndexedRoute<P, R>; readonly policy: P | undefined }> {
    const seen = new Set<string>();
    const rows: Array<{ readonly route: IndexedRoute<P, R>; readonly policy: P | undefined }> = [];
    for (const [route, policy] of this.versionRuns) {
      const group = `${route.method} ${route.path} ${route.host ?? ''}`;
      if (!seen.has(group)) {
        seen.add(group);
        rows.push({ route, policy });
      }
    }
    return rows;
  }

  /** The routes that match `pathname` (the URL's path, as the router reads it), or `undefined`. */
  lookup(pathname: string): PathRoutes<P, R> | undefined {
    const literal = this.literalPaths.get(this.key(this.withoutTrailingSlash(pathname)));
    if (literal !== undefined) {
      return literal;
    }
    const found: Array<IndexedRoute<P, R>> = [];
    for (const { route, matches } of this.patternRoutes) {
      if (matches(pathname)) found.push(route);
    }
    return found.length === 0 ? undefined : pathRoutes(found[0]?.path ?? pathname, found);
  }

  /**
   * The policy a preflight is answered by: the one of the handler that would
   * serve the requested method (Fetch §4.8: the preflight asks about the actual
   * request). Where a header, media-type or custom version picks among
   * several handlers, the preflight carries no version, so it gets what all of
   * them allow. No such handler, or one without policy, refuses it.
   */
  preflightTarget(entry: PathRoutes<P, R>, requestMethod: string, routed: RoutedRequest<R>): PreflightTarget<P> {
    const route = entry.routes.find((r) => servesMethod(r, requestMethod) && servesHost(r, routed));
    const policy = route && (route.servesVersion === undefined ? route.policy : this.versionRuns.get(route));
    if (policy !== undefined) {
      return { policy };
    }
    const code = route ? 'handler-without-policy' : 'method-not-served';
    return { rejection: { code, method: requestMethod, path: entry.path } };
  }

  private isLiteral(path: string): boolean {
    return !DYNAMIC_SEGMENT.test(path) && ASCII.test(path);
  }

  private key(path: string): string {
    return this.options.caseSensitive ? path : path.toLowerCase();
  }

  /** A route path without its trailing slashes, as the router compiles it (router's Layer, `loosen`). */
  private loosen(path: string): string {
    return this.options.ignoreTrailingSlash && path !== '/' ? path.replace(TRAILING_SLASHES, '') : path;
  }

  /** A request path as a loosened route path matches it: one trailing slash is optional. */
  private withoutTrailingSlash(pathname: string): string {
    return this.options.ignoreTrailingSlash && pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  }

  private matcher(path: string): (pathname: string) => boolean {
    const matches = match(this.loosen(path), { sensitive: this.options.caseSensitive, end: true, trailing: this.options.ignoreTrailingSlash });
    return (pathname) => {
      try {
        return matches(pathname) !== false;
      } catch {
        // A malformed percent-encoding in a parameter: the router fails it too.
        return false;
      }
    };
  }
}

function pathRoutes<P, R>(path: string, routes: ReadonlyArray<IndexedRoute<P, R>>): PathRoutes<P, R> {
  return { path, routes, hasPolicy: routes.some((r) => r.policy !== undefined) };
}

/**
 * The handlers a version could select from `first` on: those after it at the
 * same path, method and host, up to the first one without a version filter.
 * Their intersection, or `undefined` if one of them has no policy.
 */
function versionRunPolicy<P, R>(
  routes: ReadonlyArray<IndexedRoute<P, R>>,
  first: IndexedRoute<P, R>,
  intersect: (policies: readonly P[]) => P,
): P | undefined {
  const policies: P[] = [];
  for (const route of routes.slice(routes.indexOf(first))) {
    if (route.path !== first.path || route.method !== first.method || route.host !== first.host) continue;
    if (route.policy === undefined) return undefined;
    policies.push(route.policy);
    if (route.servesVersion === undefined) break;
  }
  return policies.length === 1 ? policies[0] : intersect(policies);
}

/** The route whose handler the router calls: the first that serves the method, the host and the version. */
export function routeForRequest<P, R>(entry: PathRoutes<P, R>, method: string, routed: RoutedRequest<R>): IndexedRoute<P, R> | undefined {
  for (const route of entry.routes) {
    if (servesMethod(route, method) && servesHost(route, routed) && (route.servesVersion === undefined || route.servesVersion(routed.request))) {
      return route;
    }
  }
  return undefined;
}
