/**
 * Fastify: the CORS hook is a root `onRequest` hook, added as soon as the
 * adapter exists. Fastify binds root hooks to every route of the root context
 * (where Nest puts its routes and its not-found handler) when it starts, so
 * the hook runs after routing, before Nest middleware (@fastify/middie),
 * content-type parsing, guards and handlers, and for unmatched paths too: a
 * preflight to a `@Post()`-only path reaches it without any OPTIONS route.
 */
import { type HttpServer, type VersioningOptions, VERSION_NEUTRAL } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CorsConfigurationError, type RouterPathOptions } from '../core/index.js';
import type { CorsExchange, CorsHttpPlatform, DescribedRequest, VersionFilter } from '../nest/cors-platform.interface.js';
import type { NestRoute, VersionValue } from '../nest/nest-routes.js';

/**
 * What the FastifyAdapter of @nestjs/platform-fastify 12.5 computes for its
 * own middleware matching and routing, read rather than re-derived: the path
 * as find-my-way matches it, and the version its constraint strategy derives.
 */
interface FastifyAdapterRouting {
  sanitizeUrl(url: string): string;
  isRoutableRequestTarget(url: string): boolean;
  readonly versionConstraint: { deriveConstraint(request: FastifyRequest['raw']): unknown };
}

function isAdapterRouting(adapter: object): adapter is FastifyAdapterRouting {
  const routing = adapter as Partial<FastifyAdapterRouting>;
  return typeof routing.sanitizeUrl === 'function' && typeof routing.isRoutableRequestTarget === 'function' && typeof routing.versionConstraint?.deriveConstraint === 'function';
}

/** Where the query starts, which ends the path for the router. */
function pathEnd(url: string): number {
  const query = url.indexOf('?');
  return query === -1 ? url.length : query;
}

/**
 * A class, so that the lazy getters live on the prototype (see the Express
 * platform).
 */
class FastifyExchange implements CorsExchange<FastifyRequest> {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;
  readonly response: FastifyReply['raw'];

  constructor(
    readonly request: FastifyRequest,
    reply: FastifyReply,
  ) {
    const headers = request.raw.headers;
    this.method = request.raw.method ?? '';
    this.origin = headers.origin;
    this.requestMethod = headers['access-control-request-method'];
    this.requestHeaders = headers['access-control-request-headers'];
    this.response = reply.raw;
  }

  /** `request.protocol` follows Fastify's `trustProxy`: only refusals need it. */
  get selfOrigin(): string | undefined {
    const host = this.request.raw.headers.host;
    return host === undefined ? undefined : `${this.request.protocol}://${host}`;
  }

  /** What Nest's host filter reads (`getRequestHostname`). */
  get hostname(): string {
    return this.request.hostname;
  }

  get path(): string {
    const url = this.request.raw.url ?? '';
    return url.slice(0, pathEnd(url));
  }
}

export class FastifyPlatform implements CorsHttpPlatform<FastifyRequest, FastifyReply> {
  readonly name = 'fastify';
  readonly matching: RouterPathOptions;
  private readonly routing: FastifyAdapterRouting;

  constructor(private readonly adapter: HttpServer<FastifyRequest, FastifyReply, FastifyInstance>) {
    if (!isAdapterRouting(adapter)) {
      throw new CorsConfigurationError([
        'this version of @nestjs/platform-fastify does not tell how its router reads paths and versions; nestjs-route-cors needs @nestjs/platform-fastify 12.5 or later',
      ]);
    }
    this.routing = adapter;
    const { caseSensitive, ignoreTrailingSlash } = adapter.getRouteMatchingOptions?.() ?? { caseSensitive: true, ignoreTrailingSlash: false };
    // The router decodes the path before it matches (`sanitizeUrl` gives that form): parameters are not decoded again.
    this.matching = { caseSensitive, ignoreTrailingSlash, decoded: true };
  }

  install(hook: (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => void): void {
    this.adapter.getInstance().addHook('onRequest', (request, reply, done) => hook(request, reply, done));
  }

  routingPath(request: FastifyRequest): string | undefined {
    const url = request.raw.url;
    // A target the router cannot route ("*users", "OPTIONS *") goes to the not-found handler.
    if (url === undefined || !this.routing.isRoutableRequestTarget(url)) return undefined;
    return this.routing.sanitizeUrl(url.slice(0, pathEnd(url)));
  }

  exchange(request: FastifyRequest, reply: FastifyReply): CorsExchange<FastifyRequest> {
    return new FastifyExchange(request, reply);
  }

  endPreflight(reply: FastifyReply): void {
    reply.code(204).header('Content-Length', '0').send();
  }

  /**
   * find-my-way picks among the routes of one method and path by the
   * version the adapter's constraint strategy derives from the request: the
   * first of the request's versions that a route has, else the route without
   * a version (neutral), else none. Each route's filter asks that question.
   */
  versionFilters(routes: ReadonlyArray<NestRoute>, _versioning: VersioningOptions): Array<VersionFilter<FastifyRequest> | undefined> {
    const versionsAt = new Map<string, Set<unknown>>();
    const key = (route: NestRoute): string => `${route.method} ${route.path}`;
    for (const route of routes) {
      const versions = versionsAt.get(key(route)) ?? new Set<unknown>();
      versionsAt.set(key(route), versions);
      for (const version of this.constrainedVersions(route.pickedVersion)) versions.add(version);
    }
    return routes.map((route) => {
      const versions = versionsAt.get(key(route)) ?? new Set<unknown>();
      if (versions.size === 0) return undefined;
      const own = new Set(this.constrainedVersions(route.pickedVersion));
      return (request) => {
        const derived = this.routing.versionConstraint.deriveConstraint(request.raw);
        const picked = (Array.isArray(derived) ? derived : [derived]).find((version) => versions.has(version));
        return picked === undefined ? own.size === 0 : own.has(picked);
      };
    });
  }

  describedRequest({ url, headers, hostname }: DescribedRequest): FastifyRequest {
    const raw = { url, headers } as Partial<FastifyRequest['raw']> as FastifyRequest['raw'];
    return { headers, hostname, raw } as Partial<FastifyRequest> as FastifyRequest;
  }

  /** The versions a route is registered under as a find-my-way constraint; none for a neutral route. */
  private constrainedVersions(version: VersionValue | undefined): unknown[] {
    if (version === undefined || version === VERSION_NEUTRAL) return [];
    // In a list, neutral is a version like the others: the route serves requests that carry none.
    return Array.isArray(version) ? version : [version];
  }
}
