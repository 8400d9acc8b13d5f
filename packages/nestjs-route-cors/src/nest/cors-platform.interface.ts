import type { VersioningOptions } from '@nestjs/common';
import type { CorsRequestFacts, RoutedRequest, RouterPathOptions } from '../core/index.js';
import type { NestRoute } from './nest-routes.js';

/** Where an answer's headers go: Node's `ServerResponse` has this shape, and so can a platform's reply. */
export interface CorsHeaderTarget {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string): unknown;
}

/**
 * One request as the CORS hook sees it: the facts the core decides on, what
 * route selection reads, and where the answer's headers go. For a request
 * that goes on, that is Node's own response, so that every answer carries
 * them, those a middleware ends itself included (Fastify merges them into the
 * replies it sends, errors and 404s included).
 */
export interface CorsExchange<R> extends CorsRequestFacts, RoutedRequest<R> {
  /** The request's path as the client sent it, for logs and `onReject`. */
  readonly path: string;
  /** The request's id, for logs: Fastify's own, on Express an `X-Request-Id` already sent back. */
  readonly requestId: string | undefined;
  readonly response: CorsHeaderTarget;
}

export interface DescribedRequest {
  /** The request target, e.g. `/api/items?x=1`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly hostname: string;
}

/**
 * A route's version filter: whether the router gives this request to the
 * route's handler. Declared as a method type, which TypeScript checks
 * bivariantly: the route table holds the filters of whichever platform runs,
 * and only ever calls them with that platform's requests.
 */
export type VersionFilter<R> = { serves(request: R): boolean }['serves'];

/**
 * What differs between HTTP platforms, and nothing else: how a request is
 * read, answered and routed, and where the hook goes. `R` and `S` are the
 * platform's request and response objects, as its hooks receive them.
 */
export interface CorsHttpPlatform<R, S> {
  /** As `HttpServer#getType()` names it. */
  readonly name: string;
  /** The router's own path rules. */
  readonly matching: RouterPathOptions;
  /**
   * A route path in path-to-regexp syntax, which the route index matches
   * with, when the router writes it otherwise; undefined when it is already.
   * Throws a CorsConfigurationError for a path the index cannot read.
   */
  routePattern(path: string): string | undefined;
  /**
   * Gives the router a route for the preflights of `paths` (paths with a
   * policy and no OPTIONS handler), where it would otherwise take them down
   * its not-found path; called once, before the router starts.
   */
  routePreflights(paths: readonly string[]): void;
  /** Installs `hook` ahead of the body parser, Nest middleware, guards and handlers, for every request. */
  install(hook: (request: R, response: S, next: (error?: Error) => void) => void): void;
  /** The path the router matches routes against, or undefined when it routes the request nowhere. */
  routingPath(request: R): string | undefined;
  /**
   * The route the router has already chosen for the request, from
   * `registered` (by `registrationKey()`): null when it chose none of them;
   * undefined when the router has not run yet (Express), so that the route
   * index must find it.
   */
  chosenRoute<T>(request: R, registered: ReadonlyMap<string, T>): T | null | undefined;
  exchange(request: R, response: S): CorsExchange<R>;
  /** Ends an allowed preflight: 204 with an explicit empty body (some Safari versions wait for one otherwise). */
  endPreflight(response: S): void;
  /**
   * The version filter of each route, in order, where the router picks the
   * handler by a header, media type or custom version (undefined elsewhere).
   */
  versionFilters(routes: ReadonlyArray<NestRoute>, versioning: VersioningOptions): Array<VersionFilter<R> | undefined>;
  /** A request carrying only what routing reads (path, headers, host name), for the explainer. */
  describedRequest(description: DescribedRequest): R;
}
