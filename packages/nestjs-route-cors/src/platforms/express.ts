/**
 * Express: the CORS hook is a middleware added with `app.use()` as soon as
 * the adapter exists, so it runs before the body parser, Nest middleware,
 * guards and the router itself.
 */
import { type HttpServer, type VersioningOptions, VERSION_NEUTRAL } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import parseurl from 'parseurl';
import type { RouterPathOptions } from '../core/index.js';
import type { CorsExchange, CorsHttpPlatform, DescribedRequest, VersionFilter } from '../nest/cors-platform.interface.js';
import type { NestRoute } from '../nest/nest-routes.js';

/** Express's defaults, for an adapter that does not tell its matching settings. */
const EXPRESS_MATCHING: RouterPathOptions = { caseSensitive: false, ignoreTrailingSlash: true };

/**
 * A class, so that the lazy getters live on the prototype: an object literal
 * with a getter costs V8 a new accessor pair per request (measured ~20× slower).
 */
class ExpressExchange implements CorsExchange<Request> {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;

  constructor(
    readonly request: Request,
    readonly response: Response,
  ) {
    const headers = request.headers;
    this.method = request.method;
    this.origin = headers.origin;
    // Only an OPTIONS request can be a preflight: the header is not looked up on the others.
    this.requestMethod = this.method === 'OPTIONS' ? headers['access-control-request-method'] : undefined;
  }

  /** Read by preflight decisions only. */
  get requestHeaders(): string | undefined {
    return this.request.headers['access-control-request-headers'];
  }

  /** `req.protocol` runs Express's trust-proxy logic: only refusals need it. */
  get selfOrigin(): string | undefined {
    const host = this.request.headers.host;
    return host === undefined ? undefined : `${this.request.protocol}://${host}`;
  }

  /** What Nest's host filter reads (`getRequestHostname`); only host-bound routes need it. */
  get hostname(): string {
    return this.request.hostname ?? '';
  }

  get path(): string {
    return parseurl.original(this.request)?.pathname ?? this.request.originalUrl;
  }

  /** Express has no request id of its own: the one an earlier middleware sent back, if any. */
  get requestId(): string | undefined {
    const id = this.response.getHeader('X-Request-Id');
    return typeof id === 'string' ? id : undefined;
  }
}

export class ExpressPlatform implements CorsHttpPlatform<Request, Response> {
  readonly name = 'express';
  readonly matching: RouterPathOptions;

  constructor(private readonly adapter: HttpServer) {
    this.matching = adapter.getRouteMatchingOptions?.() ?? EXPRESS_MATCHING;
  }

  /** Express 5's router is path-to-regexp: every path already is. */
  routePattern(): undefined {
    return undefined;
  }

  /** The middleware runs before Express's router: a preflight it answers never needs a route. */
  routePreflights(): void {}

  install(hook: (request: Request, response: Response, next: NextFunction) => void): void {
    this.adapter.use(hook);
  }

  routingPath(request: Request): string | undefined {
    // parseurl caches its result on the request, where Express's router finds it again.
    return parseurl(request)?.pathname ?? undefined;
  }

  /** The hook runs before Express's router: the route index finds the route. */
  chosenRoute(): undefined {
    return undefined;
  }

  exchange(request: Request, response: Response): CorsExchange<Request> {
    return new ExpressExchange(request, response);
  }

  endPreflight(response: Response): void {
    response.statusCode = 204;
    response.setHeader('Content-Length', '0');
    response.end();
  }

  /**
   * The adapter's own filter (what RouterExplorer#applyVersionFilter
   * installs) as a predicate: it calls the handler when the request's version
   * selects the route and `next` otherwise. A neutral route serves every
   * request.
   */
  versionFilters(routes: ReadonlyArray<NestRoute>, versioning: VersioningOptions): Array<VersionFilter<Request> | undefined> {
    return routes.map(({ pickedVersion }) => {
      if (pickedVersion === undefined || pickedVersion === VERSION_NEUTRAL) return undefined;
      const filter = this.adapter.applyVersionFilter(() => true, pickedVersion, versioning);
      return (request) => (filter(request, undefined, () => false) as unknown) === true;
    });
  }

  describedRequest({ url, headers, hostname }: DescribedRequest): Request {
    return { url, headers, hostname } as Partial<Request> as Request;
  }
}
