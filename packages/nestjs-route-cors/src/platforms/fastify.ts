/**
 * Fastify: the CORS hook runs in the adapter's first `onRequest` hook. Root
 * hooks apply to every route of the root context (where Nest puts its routes
 * and its not-found handler), so it runs after routing, before Nest
 * middleware (@fastify/middie), content-type parsing, guards and handlers,
 * and for unmatched paths too. Paths with a policy get an OPTIONS route
 * (`routePreflights`), only so that their preflights skip the not-found
 * router; the hook answers them first.
 */
import type { Server } from 'node:http';
import { type HttpServer, type VersioningOptions, VERSION_NEUTRAL } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { LegacyRouteConverter } from '@nestjs/core/router/legacy-route-converter.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { match } from 'path-to-regexp';
import { CorsConfigurationError, type RouterPathOptions } from '../core/index.js';
import {
  type AddedBeforeNest,
  type CorsHttpPlatform,
  type CorsRouter,
  type DescribedRequest,
  NOTHING_ADDED_BEFORE_NEST,
  refuseCorsCalls,
  secondCorsLayer,
  type VersionFilter,
} from '../nest/cors-platform.js';
import { type NestRoute, registrationKey, type VersionValue } from '../nest/nest-routes.js';
import { type CorsHeaderTarget, NodeCorsRequest, pathOf, type PlatformRequestReader } from '../nest/node-request.js';
import { supportedReleases } from '../nest/supported-releases.js';

/**
 * What the FastifyAdapter of @nestjs/platform-fastify (from the releases
 * FIRST_SUPPORTED_RELEASES names) computes for its own middleware matching
 * and routing, read rather than re-derived: the path as find-my-way matches
 * it, and the version its constraint strategy derives. Private members:
 * checked on both majors.
 */
interface FastifyAdapterRouting {
  sanitizeUrl(url: string): string;
  isRoutableRequestTarget(url: string): boolean;
  readonly versionConstraint: { deriveConstraint(request: FastifyRequest['raw']): unknown };
}

/** The members of FastifyAdapterRouting this adapter lacks, by name. */
function missingRoutingMembers(adapter: object): string[] {
  const routing = adapter as Partial<FastifyAdapterRouting>;
  const present: Record<string, boolean> = {
    'sanitizeUrl()': typeof routing.sanitizeUrl === 'function',
    'isRoutableRequestTarget()': typeof routing.isRoutableRequestTarget === 'function',
    'versionConstraint.deriveConstraint()': typeof routing.versionConstraint?.deriveConstraint === 'function',
  };
  return Object.keys(present).filter((member) => present[member] !== true);
}

function isAdapterRouting(adapter: object): adapter is FastifyAdapterRouting {
  return missingRoutingMembers(adapter).length === 0;
}

/** Where each route's config holds its `registrationKey()`. */
const ROUTE_KEY = Symbol('nestjs-route-cors.route');

/**
 * Where a route's config says Nest did not name its handler (Nest 11, and 12
 * before 12.5, register anonymous handlers): its key then names the method
 * and path only, which the route table resolves where they are unique, and
 * leaves to the route index where they are not.
 */
const UNNAMED_ROUTE = Symbol('nestjs-route-cors.unnamed-route');

/** A handler Nest registered for a controller method: Nest copies the method's metadata onto it (both majors). */
function isUnnamedNestHandler(handler: object & { readonly name: string }): boolean {
  return handler.name === '' && Reflect.getMetadata(PATH_METADATA, handler) !== undefined;
}

/** The longest path whose router form is checked by a regular expression before `sanitizeUrl` would be asked. */
const ROUTER_FORM_CHECKED_LENGTH = 256;

/** find-my-way's optional parameter, which may only end a path. */
const OPTIONAL_LAST_PARAMETER = /\/:(\w+)\?$/;

/**
 * A preflight's headers go through the reply: headers on the reply, and none
 * on Node's response, let Fastify write the answer's head in one go
 * (measured: 536,211 → 523,624 instructions per preflight).
 */
class ReplyHeaders implements CorsHeaderTarget {
  constructor(private readonly reply: FastifyReply) {}

  getHeader(name: string): number | string | string[] | undefined {
    return this.reply.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.reply.header(name, value);
  }
}

/** @fastify/cors, as `register()` receives it: the plugin or its module, named by fastify-plugin's metadata. */
function isFastifyCors(plugin: unknown): boolean {
  const candidate: unknown = typeof plugin === 'object' && plugin !== null && 'default' in plugin ? plugin.default : plugin;
  if (typeof candidate !== 'function') return false;
  const meta: unknown = Reflect.get(candidate, Symbol.for('plugin-meta'));
  return typeof meta === 'object' && meta !== null && 'name' in meta && meta.name === '@fastify/cors';
}

/** What the adapter's request-hook slot holds. */
type RequestHook = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => void | Promise<void>;

/**
 * Node's response, for a request that goes on, when an earlier `onRequest`
 * hook gave the reply a header of its own (`reply.header('Vary', ...)`):
 * Fastify writes the reply's headers over Node's, so a header the reply
 * holds is written there too, or the appended `Vary` would lose Origin.
 */
class ResponseUnderReplyHeaders implements CorsHeaderTarget {
  constructor(private readonly reply: FastifyReply) {}

  getHeader(name: string): number | string | string[] | undefined {
    return this.reply.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.reply.raw.setHeader(name, value);
    // The reply's own value, if it holds one, is what Fastify sends.
    if (this.reply.getHeader(name) !== value) this.reply.header(name, value);
  }
}

/** Whether the reply holds a `Vary` of its own, which Fastify would send over Node's. */
function replyHoldsVary(reply: FastifyReply): boolean {
  return reply.getHeader('vary') !== reply.raw.getHeader('vary');
}

const FASTIFY_READER: PlatformRequestReader<FastifyRequest, FastifyReply> = {
  // Follows Fastify's `trustProxy`.
  protocol: (request) => request.protocol,
  hostname: (request) => request.hostname,
  // Fastify gives every request an id (`genReqId`).
  requestId: (request) => request.id,
  // A request that goes on gets its headers on Node's response, which Fastify merges into its replies (errors and
  // 404s included) and a middleware's own answer carries; a preflight is answered through the reply.
  headerTarget: (reply, preflight) => (preflight ? new ReplyHeaders(reply) : replyHoldsVary(reply) ? new ResponseUnderReplyHeaders(reply) : reply.raw),
  serverResponse: (reply) => reply.raw,
  routesAfterHook: false,
};

export class FastifyPlatform implements CorsHttpPlatform<FastifyRequest, FastifyReply>, CorsRouter<FastifyRequest> {
  readonly name = 'fastify';
  /** Fastify's router differs from the plain defaults everywhere: this class is its model. */
  readonly router: CorsRouter<FastifyRequest> = this;
  readonly matching: RouterPathOptions;
  /** find-my-way tries static segments before parameters before wildcards, whatever the order routes were added in. */
  readonly triesInOrder = false;
  private readonly routing: FastifyAdapterRouting;
  /**
   * Paths that `sanitizeUrl` leaves as they are: non-empty segments (no
   * duplicate or trailing slash), nothing to decode (no `%`), no `;`, and
   * lower case already when the router folds case.
   */
  private readonly routerForm: RegExp;

  constructor(private readonly adapter: AbstractHttpAdapter<Server, FastifyRequest, FastifyReply>) {
    if (!isAdapterRouting(adapter)) {
      throw new CorsConfigurationError([
        `this version of @nestjs/platform-fastify has no FastifyAdapter ${missingRoutingMembers(adapter).join(', ')}, which tell how its router reads paths and versions; nestjs-route-cors needs ${supportedReleases('@nestjs/platform-fastify')}`,
      ]);
    }
    this.routing = adapter;
    // Before Nest registers its routes (the platform is made as soon as the adapter exists): each route Fastify
    // registers carries the key of the table row it is, whatever path its router finds it by.
    adapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const method = methods.length > 1 ? 'ALL' : (methods[0] ?? '');
      const unnamed = isUnnamedNestHandler(route.handler);
      const key = registrationKey(method, route.url, unnamed ? '' : route.handler.name);
      route.config = { ...route.config, [ROUTE_KEY]: key, [UNNAMED_ROUTE]: unnamed };
    });
    // The paths looked up are `sanitizeUrl`'s: decoded, lower-cased for a case-insensitive router, and with the
    // one trailing slash the router ignores already trimmed. Matching them takes the case rule only.
    const server: HttpServer = adapter;
    const caseSensitive = server.getRouteMatchingOptions?.().caseSensitive ?? true;
    this.matching = { caseSensitive, ignoreTrailingSlash: false, decoded: true };
    this.routerForm = caseSensitive ? /^(?:\/[\w.~-]+)+$/ : /^(?:\/[a-z0-9_.~-]+)+$/;
  }

  /**
   * find-my-way's optional last parameter (`/files/:name?`) and wildcard
   * (`/docs/*`) in path-to-regexp syntax, the wildcard by Nest's own
   * converter. A path path-to-regexp still cannot read (a parameter with a
   * regular expression) stops start-up: its requests could not be matched.
   */
  routePattern(path: string): string | undefined {
    const pattern = LegacyRouteConverter.tryConvert(path.replace(OPTIONAL_LAST_PARAMETER, '{/:$1}'), { logs: false });
    try {
      match(pattern);
    } catch (error) {
      throw new CorsConfigurationError([
        `the route path ${path} cannot be matched by nestjs-route-cors on Fastify (${error instanceof Error ? error.message : String(error)}); every route is, policy or not, because any route can shadow another`,
      ]);
    }
    return pattern === path ? undefined : pattern;
  }

  /**
   * Fastify routes a request before its hooks run, and an `OPTIONS` to a path
   * without an OPTIONS route goes through a second router, the not-found one,
   * first (as @fastify/cors avoids with its `OPTIONS *` route). These routes
   * only save that: the hook answers preflights before them, and any other
   * OPTIONS request they receive gets Nest's 404, as without them.
   */
  routePreflights(paths: readonly string[]): void {
    const instance = this.adapter.getInstance<FastifyInstance>();
    for (const url of paths) {
      // One route per path as find-my-way reads it: `/items/:id` and `/items/:itemId` are the same.
      if (!instance.hasRoute({ method: 'OPTIONS', url })) {
        instance.route({ method: 'OPTIONS', url, handler: (_request: FastifyRequest, reply: FastifyReply) => reply.callNotFound() });
      }
    }
  }

  /**
   * `NestFactory.create()` registers @fastify/middie (Nest middleware) before
   * any module exists, so a hook a module adds runs after every middleware.
   * The adapter's request-hook slot runs first of all its hooks, before
   * middie: the hook goes there. The slot holds one hook; other users of it
   * (the application, `@nestjs/observe`, which sets it in `onModuleInit`)
   * share it instead of replacing CORS: theirs runs right after the CORS hook,
   * whether it was set before or after. Without another user, the slot holds
   * the CORS hook alone (no extra call per request).
   */
  install(hook: RequestHook): void {
    const setSlot = this.adapter.setOnRequestHook.bind(this.adapter);
    const share = (other: RequestHook | undefined): void => setSlot(other === undefined ? hook : this.followedBy(hook, other));
    // Set on the adapter before this module started, e.g. `adapter.setOnRequestHook()` before `NestFactory.create()`.
    const before: unknown = Reflect.get(this.adapter, 'onRequestHook');
    share(typeof before === 'function' ? (before as RequestHook) : undefined);
    Object.defineProperty(this.adapter, 'setOnRequestHook', { configurable: true, value: share });
    this.refuseSecondCorsLayer();
  }

  /**
   * Besides the calls every platform refuses (`refuseCorsCalls`),
   * @fastify/cors registered on the instance fails at the call, naming it;
   * one registered before the module started fails the instance's start
   * (`ready()`).
   */
  private refuseSecondCorsLayer(): void {
    refuseCorsCalls(this.adapter);
    const instance = this.adapter.getInstance<FastifyInstance>();
    const register: unknown = instance.register;
    Object.defineProperty(instance, 'register', {
      configurable: true,
      value: function (this: FastifyInstance, ...args: unknown[]): unknown {
        if (isFastifyCors(args[0])) throw secondCorsLayer('register(@fastify/cors)');
        return Reflect.apply(register as (...registered: unknown[]) => unknown, this, args);
      },
    });
    instance.addHook('onReady', function (this: FastifyInstance, done) {
      done(this.hasPlugin('@fastify/cors') ? secondCorsLayer('@fastify/cors, registered on the Fastify instance,') : undefined);
    });
  }

  /** `first`, then, unless it ended the request or failed, `then`, run as the adapter runs its slot's hook. */
  private followedBy(first: RequestHook, then: RequestHook): RequestHook {
    const adapter = this.adapter;
    return (request, reply, done) =>
      first(request, reply, (error) => {
        if (error !== undefined) return done(error);
        // `done` once, whether the hook calls it or settles a promise; a throw is an error (the adapter's runLifecycleHook).
        let completed = false;
        const doneOnce = (failure?: Error): void => {
          if (completed) return;
          completed = true;
          done(failure);
        };
        const asError = (failure: unknown): Error => (failure instanceof Error ? failure : new Error(String(failure)));
        try {
          const result = then.call(adapter, request, reply, doneOnce);
          if (result instanceof Promise) result.then(() => doneOnce(), (failure: unknown) => doneOnce(asError(failure)));
        } catch (failure) {
          doneOnce(asError(failure));
        }
      });
  }

  /** Nothing comes first by order: find-my-way ranks every route by its path (modelled by sorting the rules among Nest's). */
  addedBeforeNest(): AddedBeforeNest {
    return NOTHING_ADDED_BEFORE_NEST;
  }

  routingPath(_request: FastifyRequest, url: string): string | undefined {
    const path = pathOf(url);
    // Most paths are already in the router's form; `sanitizeUrl` returns them as they are. Telling that takes a
    // regular expression over the path: a long path goes to `sanitizeUrl`, which mostly searches characters.
    if (path.length <= ROUTER_FORM_CHECKED_LENGTH && this.routerForm.test(path)) return path;
    // A target the router cannot route ("*users", "OPTIONS *") goes to the not-found handler.
    return this.routing.isRoutableRequestTarget(url) ? this.readingPath(path) : undefined;
  }

  readingPath(path: string): string | undefined {
    try {
      return this.routing.sanitizeUrl(path);
    } catch {
      // A malformed escape (`%zz`): the router answers 400 itself, no route serves it.
      return undefined;
    }
  }

  /**
   * Fastify routes a request before its hooks run, by rules the route index
   * only approximates (a parameter over `maxParamLength` falls back to a
   * wildcard sibling, route constraints, its own tie-breaks): the route it
   * chose, named by the key `onRoute` tagged it with, decides the policy of
   * an actual request (where Nest names its handlers).
   */
  chosenRoute<T>(request: FastifyRequest, registered: ReadonlyMap<string, T>): T | null | undefined {
    const config: object = request.routeOptions.config;
    const key: unknown = ROUTE_KEY in config ? config[ROUTE_KEY] : undefined;
    const route = typeof key === 'string' ? registered.get(key) : undefined;
    if (route !== undefined) return route;
    // An unnamed Nest route whose method and path several rows share: the index decides; any other route is none of Nest's.
    return UNNAMED_ROUTE in config && config[UNNAMED_ROUTE] === true ? undefined : null;
  }

  requestFacts(request: FastifyRequest, reply: FastifyReply): NodeCorsRequest<FastifyRequest, FastifyReply> {
    return new NodeCorsRequest(request.raw, request, reply, FASTIFY_READER);
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
