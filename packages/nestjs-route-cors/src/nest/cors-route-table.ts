import { Inject, Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, HttpAdapterHost, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import {
  type ChosenRoute,
  compileNamedPolicies,
  type CompiledCorsPolicy,
  compareSpecificity,
  ConfigurationProblems,
  CorsConfigurationError,
  type CorsPolicyOptions,
  formatRouteTable,
  type IndexedRoute,
  intersectPolicies,
  MAX_MAX_AGE,
  type NamedPolicy,
  type PathShape,
  pathShape,
  pathsCanOverlap,
  PREFLIGHT_CACHE_CAPS,
  resolveRoutePolicy,
  type RouteReportRow,
  RoutePathIndex,
} from '../core/index.js';
import { match } from 'path-to-regexp';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import type { AddedBeforeNest, CorsHttpPlatform, CorsRouter, RouterRegistration } from './cors-platform.js';
import { type HandlerSite, readHandlerSites } from './handler-declarations.js';
import { loadRouteSorter, type NestRoute, NestRouteReader } from './nest-routes.js';
import { ambiguousRules, type OrderedRule, orderRules, ruleRoute, ruleSite } from './path-rules.js';

/** The platform's request object: route selection only hands it to the platform's own version filters. */
type PlatformRequest = unknown;
/** A route as the router serves it, with its effective policy. */
export type CorsRoute = IndexedRoute<CompiledCorsPolicy, PlatformRequest>;

/** The effective policy of each route handler, by controller and method name. */
type HandlerPolicies = ReadonlyMap<Type, ReadonlyMap<string, CompiledCorsPolicy | undefined>>;

/** What a request looks its route up in: one snapshot, replaced whole when a policy changes. */
export interface CorsRouteLookup {
  readonly index: RoutePathIndex<CompiledCorsPolicy, PlatformRequest>;
  /** Where the platform's router has chosen the route before the hook runs (Fastify). */
  readonly chosen: ChosenRoute<PlatformRequest> | undefined;
}

interface RouteTableState extends CorsRouteLookup {
  readonly named: ReadonlyMap<string, NamedPolicy>;
  readonly policies: HandlerPolicies;
  /** The policy of each path rule, in the order of the `paths` option. */
  readonly rulePolicies: ReadonlyArray<CompiledCorsPolicy | undefined>;
  readonly routes: readonly CorsRoute[];
}

/**
 * The row of each route the router registered, where it picks a request's
 * route before the hook (Fastify): the row of its method, path and handler
 * name (any name where Nest registered the handler unnamed, Nest 11); a GET
 * row also for the HEAD route Fastify adds beside it. A registration several
 * rows fit (two controllers of one name on one path), or a Nest handler no
 * row fits, maps to undefined: the index decides those. Any other route is
 * not Nest's and maps to null: only path rules decide it.
 */
function rowsByRegistration(registrations: readonly RouterRegistration[], routes: readonly CorsRoute[]): Map<RouterRegistration, CorsRoute | null | undefined> {
  const rows = new Map<RouterRegistration, CorsRoute | null | undefined>();
  const nestRoutes = routes.filter((route) => route.pathRule !== true && route.adapterRoute !== true);
  for (const registration of registrations) {
    const { method, path, handler, nest } = registration;
    const unnamed = nest && handler === '';
    const fits = (route: CorsRoute): boolean =>
      route.path === path && (route.method === method || (method === 'HEAD' && route.method === 'GET')) && (unnamed || route.handler === handler);
    const [row, ...others] = nestRoutes.filter(fits);
    rows.set(registration, row === undefined ? (nest ? undefined : null) : others.length === 0 ? row : undefined);
  }
  return rows;
}

/** A route the application added on the adapter before Nest's: its requests get the path rule's policy there, if any. */
function addedRoute({ method, path }: AddedBeforeNest['routes'][number]): CorsRoute | undefined {
  try {
    match(path);
  } catch {
    // A path the index cannot read (a regular expression route): it cannot be told apart from Nest's.
    return undefined;
  }
  return { method, path, policy: undefined, handler: 'a route added on the adapter', host: undefined, servesHost: undefined, version: undefined, servesVersion: undefined, adapterRoute: true };
}

/** A route's place in the router's order: which list it is in, where, and its path. */
interface RouteSlot {
  readonly kind: 'added' | 'nest' | 'rule';
  readonly at: number;
  readonly path: string;
}

/** Two lists each from the most specific, as one, the first list's routes ahead of the second's that rank alike. */
function mergedBySpecificity<T>(first: readonly T[], second: readonly T[], shapeOf: (item: T) => PathShape): T[] {
  const merged: T[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    const a = first[i];
    const b = second[j];
    if (b !== undefined && (a === undefined || compareSpecificity(shapeOf(b), shapeOf(a)) < 0)) {
      merged.push(b);
      j += 1;
    } else if (a !== undefined) {
      merged.push(a);
      i += 1;
    }
  }
  return merged;
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
  /** The path rules in the order they are tried. */
  private readonly rules: readonly OrderedRule[];
  private nestRoutes: ReadonlyArray<NestRoute & Pick<CorsRoute, 'pattern' | 'servesVersion'>> = [];
  /** The routes the application added on the adapter that the router tries before Nest's. */
  private addedRoutes: readonly CorsRoute[] = [];
  /** Whether Nest's routes have been read (in onModuleInit). */
  private routesRead = false;
  private order: readonly RouteSlot[] | undefined;
  private platformRouter: CorsRouter<PlatformRequest> | undefined;
  private state: RouteTableState;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
    scanner: MetadataScanner,
    reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    const problems = new ConfigurationProblems();
    this.sites = readHandlerSites(discovery, reflector, scanner, problems);
    this.rules = orderRules(options.paths ?? [], problems);
    problems.throwIfAny();
    const named = compileNamedPolicies(options.policies ?? {});
    const { policies, rulePolicies } = this.resolvePolicies(named);
    this.state = { named, policies, rulePolicies, routes: [], index: this.indexOf([]), chosen: undefined };
    this.warnAboutBrowserCaps();
  }

  /**
   * A `maxAge` browsers cut short is not an error (Firefox keeps up to a
   * day), but it is not what the author meant: said once, at start-up.
   */
  private warnAboutBrowserCaps(): void {
    const declared = new Map<string, CompiledCorsPolicy>();
    for (const { compiled } of this.state.named.values()) declared.set(compiled.name, compiled);
    for (const byHandler of this.state.policies.values()) {
      // Merged policies repeat the maxAge of the policies they merge: those are named already.
      for (const policy of byHandler.values()) if (policy !== undefined && !policy.name.includes('+')) declared.set(policy.name, policy);
    }
    const { chromium, webkit } = PREFLIGHT_CACHE_CAPS;
    for (const { name, declared: { maxAge } } of declared.values()) {
      if (maxAge > chromium) {
        this.logger.warn(
          `policy '${name}' has maxAge ${maxAge}, but browsers keep a preflight at most ${chromium} s (Chromium) and ${webkit} s (WebKit); only Firefox keeps it up to ${MAX_MAX_AGE} s`,
        );
      }
    }
  }

  /**
   * Takes the application's HTTP platform, as soon as the adapter exists;
   * returns its router, which the request hook reads paths with.
   */
  attach<R, S>(platform: CorsHttpPlatform<R, S>): CorsRouter<R> {
    const router = platform.router;
    this.platformRouter = router as CorsRouter<PlatformRequest>;
    return router;
  }

  /**
   * Runs in `app.init()` after Nest has registered its routes, so the
   * global prefix and versioning set on the application are final. An
   * application context without HTTP serves no route. Asynchronous only to
   * load Nest 12's route sorter where it exists (Nest 11 has none).
   */
  async onModuleInit(): Promise<void> {
    const router = this.platformRouter;
    if (router === undefined) {
      return;
    }
    const routes = new NestRouteReader(this.discovery, this.modules, this.appConfig, this.adapterHost.httpAdapter, await loadRouteSorter()).read();
    const versioning = this.appConfig.getVersioning();
    const filters = versioning ? router.versionFilters(routes, versioning) : [];
    this.nestRoutes = routes.map((route, position) => ({ ...route, pattern: router.routePattern(route.path), servesVersion: filters[position] }));
    const added = router.addedBeforeNest();
    this.addedRoutes = added.routes.flatMap((route) => addedRoute(route) ?? []);
    this.routesRead = true;
    this.checkRules(router, added);
    this.state = this.stateFor(this.state.named, this.state.policies, this.state.rulePolicies);
    router.routePreflights(this.pathsWithoutOptionsRoute());
    if (this.options.logRoutes !== false) {
      this.logger.log(`CORS policies by route:\n${formatRouteTable(this.reportRows())}`);
      if (this.rules.length > 0) this.logger.log(`CORS policies by path rule:\n${formatRouteTable(this.ruleRows())}`);
    }
  }

  /**
   * Rules nothing can order (equally specific, overlapping, with different
   * policies), and rules that share paths with a controller route where
   * the module cannot tell which of them serves a request: a static file
   * server mounted before Nest's routes serves the files it has, and passes
   * the rest on. Every problem at once.
   */
  private checkRules(router: CorsRouter<PlatformRequest>, added: AddedBeforeNest): void {
    const problems = new ConfigurationProblems();
    problems.add(...ambiguousRules(this.rules, this.state.rulePolicies, router.matching));
    const caseSensitive = router.matching.caseSensitive;
    const shaped = this.nestRoutes.map((route) => ({ route, shape: pathShape(route.pattern ?? route.path) }));
    for (const mount of added.mounts) {
      const mounted = pathShape(`${mount.path.replace(/\/+$/, '')}{/*rest}`);
      for (const { rule, shape } of this.rules) {
        const shared = shaped.filter((nest) => pathsCanOverlap(nest.shape, mounted, caseSensitive) && pathsCanOverlap(nest.shape, shape, caseSensitive));
        const [first, ...others] = shared;
        if (first === undefined) continue;
        const route = `${first.route.method} ${first.route.path} (${first.route.controller.name}.${first.route.methodName})${others.length > 0 ? ` and ${others.length} more controller routes` : ''}`;
        problems.add(
          `the path rule for ${rule.path} shares paths with ${route}, and ${mount.name} mounted at ${mount.path} before Nest's routes serves the files it has there first, so nothing tells which of them answers a request: narrow the rule to leave the controller routes' paths, or serve the files after Nest's routes (ServeStaticModule does)`,
        );
      }
    }
    problems.throwIfAny();
  }

  /** The router of the application's platform; throws before CorsModule attached one (no HTTP adapter). */
  get router(): CorsRouter<PlatformRequest> {
    if (this.platformRouter === undefined) {
      throw new CorsConfigurationError(['the application has no HTTP adapter, so it serves no route']);
    }
    return this.platformRouter;
  }

  /** All routes, in the order the router tries them, with their policies as they are now. */
  get routes(): readonly CorsRoute[] {
    return this.state.routes;
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
    // A rule's path, or an adapter route's, is served by something the module does not see (which may have an OPTIONS route of its own).
    const controllerRoutes = routes.filter((r) => r.pathRule !== true && r.adapterRoute !== true);
    const withOptions = new Set(controllerRoutes.filter((r) => r.method === 'OPTIONS' || r.method === 'ALL').map((r) => r.path));
    return [...new Set(controllerRoutes.filter((r) => r.policy !== undefined && !withOptions.has(r.path)).map((r) => r.path))];
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
    return [...routes.filter((route) => route.pathRule !== true && route.adapterRoute !== true), ...preflights];
  }

  /** The rows of the path rules, in the order they are tried: the most specific first. */
  ruleRows(): RouteReportRow[] {
    return this.rules.map(({ rule }, position) => ({ method: 'ANY', path: rule.path, handler: 'path rule', policy: this.state.rulePolicies[position] }));
  }

  /** Every named policy as it is now; a policy update replaces the map whole. */
  get namedPolicies(): ReadonlyMap<string, NamedPolicy> {
    return this.state.named;
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
    const named = compileNamedPolicies({ [name]: options }, current);
    const { policies, rulePolicies } = this.resolvePolicies(named);
    this.state = this.stateFor(named, policies, rulePolicies);
    this.logger.log(`policy '${name}' replaced`);
  }

  /** Every route with its policy, and their index: built apart, swapped in whole by the caller. */
  private stateFor(named: ReadonlyMap<string, NamedPolicy>, policies: HandlerPolicies, rulePolicies: ReadonlyArray<CompiledCorsPolicy | undefined>): RouteTableState {
    const nest = this.nestRoutes.map(({ controller, methodName, ...route }): CorsRoute => ({
      ...route,
      policy: policies.get(controller)?.get(methodName),
      handler: `${controller.name}.${methodName}`,
    }));
    const rules = this.rules.map(({ rule }, position) => ruleRoute(rule, rulePolicies[position]));
    const byKind = { added: this.addedRoutes, nest, rule: rules };
    const routes = this.routeOrder().flatMap(({ kind, at }) => byKind[kind][at] ?? []);
    const router = this.platformRouter;
    const registrations = router?.registrations() ?? [];
    const rows = rowsByRegistration(registrations, routes);
    const chosen: ChosenRoute<PlatformRequest> | undefined =
      router === undefined || registrations.length === 0
        ? undefined
        : (request) => {
            const registration = router.chosenRoute(request);
            return registration === undefined ? undefined : rows.get(registration);
          };
    return { named, policies, rulePolicies, routes, index: this.indexOf(routes), chosen };
  }

  /**
   * The order the router tries the routes in, as places in the lists of
   * added routes, Nest's routes and rules; it depends on paths only, so it is
   * computed once the routes are read and kept across policy updates. Where
   * the router tries routes in order, the rules' paths are served by what was
   * added after Nest's routes (or by nothing), unless added before them;
   * where it tries the most specific first, a rule ranks among Nest's routes.
   */
  private routeOrder(): readonly RouteSlot[] {
    if (this.order !== undefined) return this.order;
    const slots = (kind: RouteSlot['kind'], paths: readonly string[]): RouteSlot[] => paths.map((path, at) => ({ kind, at, path }));
    const added = slots('added', this.addedRoutes.map((route) => route.path));
    const nest = slots('nest', this.nestRoutes.map((route) => route.pattern ?? route.path));
    const rules = slots('rule', this.rules.map(({ rule }) => rule.path));
    const order =
      this.platformRouter?.triesInOrder === false
        ? mergedBySpecificity(nest, rules, (slot) => pathShape(slot.path))
        : [...added, ...nest, ...rules];
    // Before the routes are read (the constructor's first state), the order is not kept.
    if (this.routesRead) this.order = order;
    return order;
  }

  private indexOf(routes: readonly CorsRoute[]): RoutePathIndex<CompiledCorsPolicy, PlatformRequest> {
    return new RoutePathIndex(routes, this.platformRouter?.matching ?? EXACT_MATCHING, intersectPolicies);
  }

  /** The effective policy of each route handler and path rule under `named`; throws with every problem at once. */
  private resolvePolicies(named: ReadonlyMap<string, NamedPolicy>): { policies: HandlerPolicies; rulePolicies: Array<CompiledCorsPolicy | undefined> } {
    const policies = new Map<Type, Map<string, CompiledCorsPolicy | undefined>>();
    const problems = new ConfigurationProblems();
    for (const site of this.sites) {
      const byHandler = policies.get(site.type) ?? new Map<string, CompiledCorsPolicy | undefined>();
      policies.set(site.type, byHandler);
      byHandler.set(site.handler, problems.attempt(() => resolveRoutePolicy(site, named)));
    }
    const rulePolicies = this.rules.map(({ rule }) => problems.attempt(() => resolveRoutePolicy(ruleSite(rule), named)));
    problems.throwIfAny();
    return { policies, rulePolicies };
  }
}
