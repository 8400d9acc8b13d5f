/**
 * Fastify's router as the route table reads it: find-my-way matches the path
 * `sanitizeUrl` gives (decoded, case folded as configured, the one trailing
 * slash it ignores trimmed), ranks routes by their path rather than their
 * order, picks versions by a constraint, and has routed a request before any
 * hook runs. Each route it registers is tagged with what it is
 * (`RouterRegistration`), so that the route an actual request was routed to
 * is known, not re-derived.
 */
import type { Server } from 'node:http';
import { type HttpServer, VERSION_NEUTRAL } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { LegacyRouteConverter } from '@nestjs/core/router/legacy-route-converter.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { match } from 'path-to-regexp';
import { CorsConfigurationError } from '../core/errors.js';
import type { RouterPathOptions } from '../core/path-index.js';
import {
  type AddedBeforeNest,
  type CorsRouter,
  type DescribedRequest,
  NOTHING_ADDED_BEFORE_NEST,
  type RouterRegistration,
  type VersionFilter,
} from '../nest/cors-platform.js';
import type { NestRoute, VersionValue } from '../nest/nest-routes.js';
import { pathOf } from '../nest/node-request.js';
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

/** Where each route's config holds what the route is. */
const REGISTRATION = Symbol('nestjs-route-cors.registration');

/** Whether Nest registered the handler for a controller method: it copies the method's metadata onto it (both majors). */
function isNestHandler(handler: object): boolean {
  return Reflect.getMetadata(PATH_METADATA, handler) !== undefined;
}

/** The longest path whose router form is checked by a regular expression before `sanitizeUrl` would be asked. */
const ROUTER_FORM_CHECKED_LENGTH = 256;

/** An adapter whose `getType()` is `'fastify'`: @nestjs/platform-fastify's. */
export type FastifyHttpAdapter = AbstractHttpAdapter<Server, FastifyRequest, FastifyReply>;

/** find-my-way's optional parameter, which may only end a path. */
const OPTIONAL_LAST_PARAMETER = /\/:(\w+)\?$/;

export class FastifyRouter implements CorsRouter<FastifyRequest> {
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
  private readonly registered: RouterRegistration[] = [];

  constructor(private readonly adapter: FastifyHttpAdapter) {
    if (!isAdapterRouting(adapter)) {
      throw new CorsConfigurationError([
        `this version of @nestjs/platform-fastify has no FastifyAdapter ${missingRoutingMembers(adapter).join(', ')}, which tell how its router reads paths and versions; nestjs-route-cors needs ${supportedReleases('@nestjs/platform-fastify')}`,
      ]);
    }
    this.routing = adapter;
    // Before Nest registers its routes (the router is made as soon as the adapter exists): each route Fastify
    // registers carries what it is, whatever path its router finds it by.
    adapter.getInstance<FastifyInstance>().addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const method = methods.length > 1 ? 'ALL' : (methods[0] ?? '');
      const registration: RouterRegistration = {
        method,
        path: route.url,
        handler: route.handler.name,
        nest: isNestHandler(route.handler),
      };
      this.registered.push(registration);
      route.config = { ...route.config, [REGISTRATION]: registration };
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
        instance.route({
          method: 'OPTIONS',
          url,
          handler: (_request: FastifyRequest, reply: FastifyReply) => reply.callNotFound(),
        });
      }
    }
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
   * chose decides the policy of an actual request.
   */
  chosenRoute(request: FastifyRequest): RouterRegistration | undefined {
    const config: object = request.routeOptions.config;
    return REGISTRATION in config ? (config[REGISTRATION] as RouterRegistration) : undefined;
  }

  registrations(): readonly RouterRegistration[] {
    return this.registered;
  }

  /**
   * find-my-way picks among the routes of one method and path by the
   * version the adapter's constraint strategy derives from the request: the
   * first of the request's versions that a route has, else the route without
   * a version (neutral), else none. Each route's filter asks that question.
   */
  versionFilters(routes: ReadonlyArray<NestRoute>): Array<VersionFilter<FastifyRequest> | undefined> {
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
        const derived: unknown = this.routing.versionConstraint.deriveConstraint(request.raw);
        const picked = (Array.isArray(derived) ? (derived as unknown[]) : [derived]).find((version) =>
          versions.has(version),
        );
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
