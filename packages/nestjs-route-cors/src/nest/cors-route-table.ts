/**
 * Every HTTP route of the application with its effective CORS policy, in the
 * order the router tries them, and their index, which the request hook looks
 * requests up in. The paths are read once Nest has registered its routes
 * (global prefix, RouterModule and versioning are final then) and do not
 * change; the policies come from CorsPolicySet, and each snapshot of them
 * gets its own state, swapped in whole, so that no request sees half of an
 * update.
 */
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import { match } from 'path-to-regexp';
import type { ChosenRoute } from '../core/cors-decision.js';
import { CorsConfigurationError } from '../core/errors.js';
import { intersectPolicies } from '../core/intersect-policies.js';
import { type IndexedRoute, RoutePathIndex } from '../core/path-index.js';
import { compareSpecificity, type PathShape, pathShape } from '../core/path-specificity.js';
import type { CompiledCorsPolicy } from '../core/policy.js';
import { formatRouteTable, reportedPolicy, type RouteReportRow } from '../core/route-report.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import type { AddedBeforeNest, CorsHttpPlatform, CorsRouter, RouterRegistration } from './cors-platform.js';
import { CorsPolicySet, type PolicySnapshot } from './cors-policy-set.js';
import { loadRouteSorter, type NestRoute, NestRouteReader } from './nest-routes.js';
import type { NodeCorsRequest } from './node-request.js';
import { ruleRoute, unorderableRules } from './path-rules.js';

/** The platform's request object: route selection only hands it to the platform's own version filters. */
type PlatformRequest = unknown;
/** A route as the router serves it, with its effective policy. */
export type CorsRoute = IndexedRoute<CompiledCorsPolicy, PlatformRequest>;

/** What a request looks its route up in: one state, replaced whole when a policy changes. */
export interface CorsRouteLookup {
  readonly index: RoutePathIndex<CompiledCorsPolicy, PlatformRequest>;
  /** Where the platform's router has chosen the route before the hook runs (Fastify). */
  readonly chosen: ChosenRoute<PlatformRequest> | undefined;
  readonly routes: readonly CorsRoute[];
  /** The policies the routes have. */
  readonly policies: PolicySnapshot;
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
function rowsByRegistration(
  registrations: readonly RouterRegistration[],
  routes: readonly CorsRoute[],
): Map<RouterRegistration, CorsRoute | null | undefined> {
  const rows = new Map<RouterRegistration, CorsRoute | null | undefined>();
  const nestRoutes = routes.filter((route) => route.pathRule !== true && route.adapterRoute !== true);
  for (const registration of registrations) {
    const { method, path, handler, nest } = registration;
    const unnamed = nest && handler === '';
    const fits = (route: CorsRoute): boolean =>
      route.path === path &&
      (route.method === method || (method === 'HEAD' && route.method === 'GET')) &&
      (unnamed || route.handler === handler);
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
  return {
    method,
    path,
    policy: undefined,
    handler: 'a route added on the adapter',
    host: undefined,
    servesHost: undefined,
    version: undefined,
    servesVersion: undefined,
    adapterRoute: true,
  };
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

@Injectable()
export class CorsRouteTable implements OnModuleInit {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private nestRoutes: ReadonlyArray<NestRoute & Pick<CorsRoute, 'pattern' | 'servesVersion'>> = [];
  /** The routes the application added on the adapter that the router tries before Nest's. */
  private addedRoutes: readonly CorsRoute[] = [];
  private order: readonly RouteSlot[] = [];
  private platformRouter: CorsRouter<PlatformRequest> | undefined;
  private state: CorsRouteLookup;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
    private readonly policySet: CorsPolicySet,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    this.state = this.stateFor(policySet.snapshot);
    policySet.follow((snapshot) => {
      this.state = this.stateFor(snapshot);
    });
  }

  /**
   * Takes the application's HTTP platform, as soon as the adapter exists;
   * returns its router, which the request hook reads paths with.
   */
  attach<R, S>(platform: CorsHttpPlatform<R, S>): CorsRouter<R> {
    this.platformRouter = platform.router;
    return platform.router;
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
    const routes = new NestRouteReader(
      this.discovery,
      this.modules,
      this.appConfig,
      this.adapterHost.httpAdapter,
      await loadRouteSorter(),
    ).read();
    const versioning = this.appConfig.getVersioning();
    const filters = versioning ? router.versionFilters(routes, versioning) : [];
    this.nestRoutes = routes.map((route, position) => ({
      ...route,
      pattern: router.routePattern(route.path),
      servesVersion: filters[position],
    }));
    const added = router.addedBeforeNest();
    this.addedRoutes = added.routes.flatMap((route) => addedRoute(route) ?? []);
    unorderableRules(
      this.policySet.rules,
      this.policySet.snapshot.rules,
      this.nestRoutes,
      added,
      router.matching,
    ).throwIfAny();
    this.order = this.routeOrder(router);
    this.state = this.stateFor(this.policySet.snapshot);
    router.routePreflights(this.pathsWithoutOptionsRoute());
    if (this.options.logRoutes !== false) {
      this.logger.log(`CORS policies by route:\n${formatRouteTable(this.reportRows())}`);
      if (this.policySet.rules.length > 0)
        this.logger.log(`CORS policies by path rule:\n${formatRouteTable(this.ruleRows())}`);
    }
  }

  /** The declared path of the route a request's path leads to, for decision events; undefined where none has a policy. */
  routeOf(request: NodeCorsRequest<unknown, unknown>): string | undefined {
    const path = this.router.routingPath(request.request, request.url);
    return path === undefined ? undefined : this.state.index.lookup(path)?.path;
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
    const withOptions = new Set(
      controllerRoutes.filter((r) => r.method === 'OPTIONS' || r.method === 'ALL').map((r) => r.path),
    );
    return [
      ...new Set(controllerRoutes.filter((r) => r.policy !== undefined && !withOptions.has(r.path)).map((r) => r.path)),
    ];
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
    return [...routes.filter((route) => route.pathRule !== true && route.adapterRoute !== true), ...preflights].map(
      (row) => ({ ...row, policy: reportedPolicy(row.policy, this.options.mode) }),
    );
  }

  /** The rows of the path rules, in the order they are tried: the most specific first. */
  ruleRows(): RouteReportRow[] {
    return this.policySet.rules.map(({ rule }, position) => ({
      method: 'ANY',
      path: rule.path,
      handler: 'path rule',
      policy: reportedPolicy(this.state.policies.rules[position], this.options.mode),
    }));
  }

  /** Every route with its policy under `policies`, and their index: built apart, swapped in whole by the caller. */
  private stateFor(policies: PolicySnapshot): CorsRouteLookup {
    const nest = this.nestRoutes.map(({ controller, methodName, ...route }): CorsRoute => ({
      ...route,
      policy: policies.handlers.get(controller)?.get(methodName),
      handler: `${controller.name}.${methodName}`,
    }));
    const rules = this.policySet.rules.map(({ rule }, position) => ruleRoute(rule, policies.rules[position]));
    const byKind = { added: this.addedRoutes, nest, rule: rules };
    // Before the routes are read, the rules alone.
    const routes =
      this.platformRouter === undefined || this.order.length === 0
        ? rules
        : this.order.flatMap(({ kind, at }) => byKind[kind][at] ?? []);
    const index = new RoutePathIndex(routes, this.platformRouter?.matching ?? EXACT_MATCHING, intersectPolicies);
    return { index, chosen: this.chooserFor(routes), routes, policies };
  }

  /** Where the router picks a request's route before the hook (Fastify): that route's row, found by its registration. */
  private chooserFor(routes: readonly CorsRoute[]): ChosenRoute<PlatformRequest> | undefined {
    const router = this.platformRouter;
    const registrations = router?.registrations() ?? [];
    if (router === undefined || registrations.length === 0) return undefined;
    const rows = rowsByRegistration(registrations, routes);
    return (request) => {
      const registration = router.chosenRoute(request);
      return registration === undefined ? undefined : rows.get(registration);
    };
  }

  /**
   * The order the router tries the routes in, as places in the lists of
   * added routes, Nest's routes and rules; it depends on paths only, so it is
   * computed once the routes are read and kept across policy updates. Where
   * the router tries routes in order, the rules' paths are served by what was
   * added after Nest's routes (or by nothing), unless added before them;
   * where it tries the most specific first, a rule ranks among Nest's routes.
   */
  private routeOrder(router: CorsRouter<PlatformRequest>): readonly RouteSlot[] {
    const slots = (kind: RouteSlot['kind'], paths: readonly string[]): RouteSlot[] =>
      paths.map((path, at) => ({ kind, at, path }));
    const added = slots(
      'added',
      this.addedRoutes.map((route) => route.path),
    );
    const nest = slots(
      'nest',
      this.nestRoutes.map((route) => route.pattern ?? route.path),
    );
    const rules = slots(
      'rule',
      this.policySet.rules.map(({ rule }) => rule.path),
    );
    return router.triesInOrder
      ? [...added, ...nest, ...rules]
      : mergedBySpecificity(nest, rules, (slot) => pathShape(slot.path));
  }
}
