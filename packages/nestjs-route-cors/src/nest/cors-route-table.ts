import { type HttpServer, Inject, Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, HttpAdapterHost, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  compileNamedPolicies,
  compilePolicy,
  type CompiledCorsPolicy,
  type CorsPolicyOptions,
  type DeclarationSite,
  CorsConfigurationError,
  CorsPolicyError,
  formatRouteTable,
  type IndexedRoute,
  intersectPolicies,
  type NamedPolicy,
  resolveRoutePolicy,
  type RouteReportRow,
  RoutePathIndex,
} from '../core/index.js';
import { platformFor } from '../platforms/index.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import { CorsMetadata } from './cors.decorator.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import type { CorsHttpPlatform, VersionFilter } from './cors-platform.interface.js';
import { loadRouteSorter, type NestRoute, NestRouteReader, registrationKey } from './nest-routes.js';

/** The platform's request object: route selection only hands it to the platform's own version filters. */
type PlatformRequest = unknown;
export type CorsRoute = IndexedRoute<CompiledCorsPolicy, PlatformRequest>;
export type CorsRouteIndex = RoutePathIndex<CompiledCorsPolicy, PlatformRequest>;

/** A route as Nest registers it, with its platform's version filter. */
type PlatformRoute = NestRoute & { readonly pattern: string | undefined; readonly servesVersion: VersionFilter<PlatformRequest> | undefined };

/** A route handler's `@Cors()` declarations, read once at start-up. */
interface HandlerSite extends DeclarationSite {
  readonly type: Type;
}

/** The effective policy of each route handler, by controller and method name. */
type HandlerPolicies = ReadonlyMap<Type, ReadonlyMap<string, CompiledCorsPolicy | undefined>>;

/** What the request path reads: one reference, replaced whole when a policy changes. */
interface RouteTableState extends CorsRouteLookup {
  readonly named: ReadonlyMap<string, NamedPolicy>;
  readonly policies: HandlerPolicies;
  readonly routes: readonly CorsRoute[];
}

/** What a request looks routes up in: one snapshot, replaced whole when a policy changes. */
export interface CorsRouteLookup {
  readonly index: CorsRouteIndex;
  /** The routes by `registrationKey()`, for a router that has chosen the route before the hook runs (Fastify). */
  readonly registered: ReadonlyMap<string, CorsRoute>;
}

/**
 * The routes by `registrationKey()`. A GET route also serves HEAD (Fastify
 * registers a HEAD route beside it). A key two routes share (two controllers
 * of one name on one path) names neither: the index decides those.
 */
function registeredRoutes(routes: readonly CorsRoute[]): Map<string, CorsRoute> {
  const registered = new Map<string, CorsRoute>();
  const ambiguous = new Set<string>();
  const register = (key: string, route: CorsRoute): void => {
    if (registered.has(key) || ambiguous.has(key)) {
      ambiguous.add(key);
      registered.delete(key);
    } else {
      registered.set(key, route);
    }
  };
  for (const route of routes) register(registrationKey(route.method, route.path, route.handler), route);
  for (const route of routes.filter((r) => r.method === 'GET')) {
    const head = registrationKey('HEAD', route.path, route.handler);
    if (!registered.has(head) && !ambiguous.has(head)) registered.set(head, route);
  }
  return registered;
}

/** Before the routes are read, the index is empty: any rules do. */
const EXACT_MATCHING = { caseSensitive: true, ignoreTrailingSlash: false };

/**
 * Every HTTP route of the application with its effective CORS policy. The
 * `@Cors()` metadata is read once, when the module is created, so invalid
 * policies, unknown names and misplaced decorators stop the application
 * before it listens. The paths are read once Nest has registered its routes
 * (global prefix, RouterModule and versioning are final then). The request
 * path only looks things up, in one state that a policy update replaces
 * whole (`replacePolicy`), so no request sees half of an update.
 */
@Injectable()
export class CorsRouteTable implements OnModuleInit {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private readonly sites: readonly HandlerSite[];
  private nestRoutes: readonly PlatformRoute[] = [];
  private httpPlatform: CorsHttpPlatform<PlatformRequest, unknown> | undefined;
  private state: RouteTableState;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly metadataScanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    const problems: string[] = [];
    this.sites = [...modules.values()].flatMap((module) =>
      [...module.controllers.values()].flatMap((wrapper) => {
        const controller = wrapper.metatype as Type | null;
        return controller ? this.handlerSites(controller, problems) : [];
      }),
    );
    if (problems.length > 0) {
      throw new CorsConfigurationError(problems);
    }
    const named = compileNamedPolicies(options.policies ?? {});
    this.state = { named, policies: this.resolvePolicies(named), routes: [], index: this.indexOf([]), registered: new Map() };
  }

  /**
   * Runs in `app.init()` after Nest has registered its routes, so the
   * global prefix and versioning set on the application are final. An
   * application context without HTTP serves no route. Asynchronous only to
   * load Nest 12's route sorter where it exists (Nest 11 has none).
   */
  async onModuleInit(): Promise<void> {
    const adapter: HttpServer | undefined = this.adapterHost.httpAdapter;
    if (adapter === undefined) {
      return;
    }
    const platform = this.platform;
    const routes = new NestRouteReader(this.modules, this.appConfig, adapter, await loadRouteSorter()).read();
    const versioning = this.appConfig.getVersioning();
    const filters = versioning ? platform.versionFilters(routes, versioning) : [];
    this.nestRoutes = routes.map((route, position) => ({ ...route, pattern: platform.routePattern(route.path), servesVersion: filters[position] }));
    this.state = this.stateFor(this.state.named, this.state.policies);
    platform.routePreflights(this.pathsWithoutOptionsRoute());
    if (this.options.logRoutes !== false) {
      this.logger.log(`CORS policies by route:\n${formatRouteTable(this.reportRows())}`);
    }
  }

  /**
   * The application's HTTP platform, chosen from its adapter once. Throws
   * for a platform without support: its hook, request facts and path rules
   * would all be wrong.
   */
  get platform(): CorsHttpPlatform<PlatformRequest, unknown> {
    this.httpPlatform ??= platformFor(this.adapterHost.httpAdapter);
    return this.httpPlatform;
  }

  /** All routes, in the order the router tries them, with their policies as they are now. */
  get routes(): readonly CorsRoute[] {
    return this.state.routes;
  }

  /** The index the request path looks routes up in, as it is now. */
  get index(): CorsRouteIndex {
    return this.state.index;
  }

  /**
   * The routes as they are now. A request takes this once and uses it
   * throughout, so it sees the policies before or after an update, never a
   * mix.
   */
  get lookup(): CorsRouteLookup {
    return this.state;
  }

  /** The paths where some route has a policy and no route serves OPTIONS: their preflights have no route of their own. */
  private pathsWithoutOptionsRoute(): string[] {
    const routes = this.state.routes;
    const withOptions = new Set(routes.filter((r) => r.method === 'OPTIONS' || r.method === 'ALL').map((r) => r.path));
    return [...new Set(routes.filter((r) => r.policy !== undefined && !withOptions.has(r.path)).map((r) => r.path))];
  }

  /** The rows of `cors:routes` and the start-up log: every route, then what version-picked preflights get. */
  reportRows(): RouteReportRow[] {
    const { routes, index } = this.state;
    const preflights = index.versionedPreflights().map(({ route, policy }) => ({
      method: 'OPTIONS',
      path: route.path,
      host: route.host,
      version: `preflight for ${route.method}, any version`,
      policy,
    }));
    return [...routes, ...preflights];
  }

  /** Every named policy as it is now; a policy update replaces the map whole. */
  get namedPolicies(): ReadonlyMap<string, NamedPolicy> {
    return this.state.named;
  }

  /** The named policy as it is now, e.g. for its predicate cache figures. */
  namedPolicy(name: string): CompiledCorsPolicy | undefined {
    return this.state.named.get(name)?.compiled;
  }

  /**
   * Replaces a named policy at run time (a tenant registers a domain). It is
   * validated exactly as at start-up, with every route that uses it
   * (merges and version intersections included); an invalid update throws a
   * CorsConfigurationError and the current policies stay. The new policy
   * starts with an empty predicate cache.
   */
  replacePolicy(name: string, options: CorsPolicyOptions): void {
    const current = this.state.named;
    if (!current.has(name)) {
      throw new CorsConfigurationError([`no policy named '${name}' to replace (known: ${[...current.keys()].join(', ') || 'none'})`]);
    }
    let compiled: CompiledCorsPolicy;
    try {
      compiled = compilePolicy(name, options);
    } catch (error) {
      if (error instanceof CorsPolicyError) throw new CorsConfigurationError([error.message]);
      throw error;
    }
    const named = new Map(current).set(name, { options, compiled });
    this.state = this.stateFor(named, this.resolvePolicies(named));
    this.logger.log(`policy '${name}' replaced`);
  }

  /** Every route with its policy, and their index: built apart, swapped in whole by the caller. */
  private stateFor(named: ReadonlyMap<string, NamedPolicy>, policies: HandlerPolicies): RouteTableState {
    const routes = this.nestRoutes.map(({ controller, methodName, ...route }): CorsRoute => ({
      ...route,
      policy: policies.get(controller)?.get(methodName),
      handler: `${controller.name}.${methodName}`,
    }));
    return { named, policies, routes, index: this.indexOf(routes), registered: registeredRoutes(routes) };
  }

  private indexOf(routes: readonly CorsRoute[]): CorsRouteIndex {
    return new RoutePathIndex(routes, this.httpPlatform?.matching ?? EXACT_MATCHING, intersectPolicies);
  }

  /** The effective policy of each route handler under `named`; throws with every problem at once. */
  private resolvePolicies(named: ReadonlyMap<string, NamedPolicy>): HandlerPolicies {
    const policies = new Map<Type, Map<string, CompiledCorsPolicy | undefined>>();
    const problems: string[] = [];
    for (const site of this.sites) {
      const byHandler = policies.get(site.type) ?? new Map<string, CompiledCorsPolicy | undefined>();
      policies.set(site.type, byHandler);
      try {
        byHandler.set(site.handler, resolveRoutePolicy(site, named));
      } catch (error) {
        if (error instanceof CorsConfigurationError) problems.push(...error.problems);
        else if (error instanceof CorsPolicyError) problems.push(error.message);
        else throw error;
      }
    }
    if (problems.length > 0) {
      throw new CorsConfigurationError(problems);
    }
    return policies;
  }

  /** The declarations of each route handler of `controller`; a @Cors() on a method that is not a route is a problem. */
  private handlerSites(controller: Type, problems: string[]): HandlerSite[] {
    const prototype = controller.prototype as Record<string, unknown>;
    const classDeclaration = this.reflector.get(CorsMetadata, controller);
    const sites: HandlerSite[] = [];
    for (const handlerName of this.metadataScanner.getAllMethodNames(prototype)) {
      const handler = prototype[handlerName];
      if (typeof handler !== 'function') continue;
      const handlerDeclaration = this.reflector.get(CorsMetadata, handler);
      if (Reflect.getMetadata(PATH_METADATA, handler) !== undefined) {
        sites.push({ type: controller, controller: controller.name, handler: handlerName, classDeclaration, handlerDeclaration });
      } else if (handlerDeclaration !== undefined) {
        // Not a route: a @Cors() here would be silently ignored.
        problems.push(`@Cors() on ${controller.name}.${handlerName} has no effect: the method is not a route handler (add @Get(), @Post(), ...)`);
      }
    }
    return sites;
  }
}
