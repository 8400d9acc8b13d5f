/**
 * Finds the routes served at a request path, for the two places that run
 * before Nest's router has matched a route: preflights (which have no route
 * of their own) and errors raised by the body parser. Paths are matched the
 * way Express 5 matches them (path-to-regexp, case-insensitive, optional
 * trailing slash); static paths are a Map lookup.
 */
import { match } from 'path-to-regexp';
import type { CorsRejection } from './cors-headers.js';

export interface IndexedRoute<P> {
  /** Upper-case method, or `ALL` for a handler serving every method. */
  readonly method: string;
  readonly path: string;
  readonly policy: P | undefined;
  /** Who serves it, e.g. `GreetController.greet`, for reports. */
  readonly handler: string;
}

/** The routes registered at one path, in registration order. */
export interface PathRoutes<P> {
  readonly path: string;
  readonly routes: ReadonlyArray<IndexedRoute<P>>;
  /** Whether any route at the path has a policy, i.e. whether its preflights are ours to answer. */
  readonly hasPolicy: boolean;
}

export type MethodLookup<P> =
  | { readonly served: false }
  | { readonly served: true; readonly policy: P | undefined; readonly handler: string };

const DYNAMIC_SEGMENT = /[:*{}()]/;

function staticKey(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

/** The path part of a request URL (`/greet?x=1` → `/greet`). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

export class RoutePathIndex<P> {
  private readonly staticPaths = new Map<string, PathRoutes<P>>();
  private readonly dynamicPaths: Array<{ readonly matches: (path: string) => unknown; readonly entry: PathRoutes<P> }> =
    [];

  constructor(routes: ReadonlyArray<IndexedRoute<P>>) {
    const byPath = new Map<string, Array<IndexedRoute<P>>>();
    for (const route of routes) {
      const list = byPath.get(route.path) ?? [];
      list.push(route);
      byPath.set(route.path, list);
    }
    for (const [path, list] of byPath) {
      const entry: PathRoutes<P> = { path, routes: list, hasPolicy: list.some((r) => r.policy !== undefined) };
      if (DYNAMIC_SEGMENT.test(path)) {
        this.dynamicPaths.push({ matches: match(path, { sensitive: false, end: true, trailing: true }), entry });
      } else {
        this.staticPaths.set(staticKey(path), entry);
      }
    }
  }

  /** The routes at the path of `url`, or `undefined` when no route has that path. */
  lookup(url: string): PathRoutes<P> | undefined {
    const path = pathOf(url);
    const exact = this.staticPaths.get(staticKey(path));
    if (exact) {
      return exact;
    }
    for (const dynamic of this.dynamicPaths) {
      try {
        if (dynamic.matches(path)) {
          return dynamic.entry;
        }
      } catch {
        // A malformed percent-encoding cannot match any route.
        return undefined;
      }
    }
    return undefined;
  }
}

/** The route that serves `method` at a path; a GET route also serves HEAD, as in Express. */
export function routeForMethod<P>(entry: PathRoutes<P>, method: string): MethodLookup<P> {
  const route =
    entry.routes.find((r) => r.method === method || r.method === 'ALL') ??
    (method === 'HEAD' ? entry.routes.find((r) => r.method === 'GET') : undefined);
  return route ? { served: true, policy: route.policy, handler: route.handler } : { served: false };
}

export type PreflightTarget<P> =
  | { readonly policy: P; readonly rejection?: undefined }
  | { readonly policy?: undefined; readonly rejection: CorsRejection };

/**
 * The policy a preflight is answered by: the one of the handler serving the
 * requested method at the path (Fetch §4.8: the preflight asks about the
 * actual request). No such handler, or one without policy, refuses it.
 */
export function preflightTarget<P>(entry: PathRoutes<P>, requestMethod: string): PreflightTarget<P> {
  const route = routeForMethod(entry, requestMethod);
  if (route.served && route.policy !== undefined) {
    return { policy: route.policy };
  }
  const code = route.served ? 'handler-without-policy' : 'method-not-served';
  return { rejection: { code, method: requestMethod, path: entry.path } };
}
