/**
 * Every HTTP route Nest registers, as Nest registers it: the same walk as
 * Nest's RoutesResolver and RouterExplorer (modules, RouterModule paths,
 * controllers, host and version metadata), with Nest's own PathsExplorer,
 * RoutePathFactory (global prefix and its exclusions, URI versions), the
 * adapter's path normalisation and version filters, and Nest's specificity
 * sort when the application asked for it. Nothing here re-derives a rule Nest
 * can compute; `test/routing.e2e-spec.ts` proves the result equal to
 * Express's router stack.
 */
import { type HttpServer, RequestMethod, type Type, VersioningType, VERSION_NEUTRAL } from '@nestjs/common';
import { HOST_METADATA, MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { type ApplicationConfig, type DiscoveryService, MetadataScanner, type ModulesContainer } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type { ResolvedRoute } from '@nestjs/core/router/interfaces/resolved-route.interface.js';
import type { RoutePathMetadata } from '@nestjs/core/router/interfaces/route-path-metadata.interface.js';
import { PathsExplorer } from '@nestjs/core/router/paths-explorer.js';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';
import { pathToRegexp } from 'path-to-regexp';
import { CorsConfigurationError } from '../core/errors.js';
import type { IndexedRoute } from '../core/path-index.js';

type HostMetadata = string | RegExp | Array<string | RegExp>;

/** Nest's route order for `routeResolutionStrategy: 'specificity'` (RouteSpecificitySorter, Nest 12). */
export interface RouteSorter {
  sort(routes: ResolvedRoute[]): ResolvedRoute[];
}

/** What Nest 12 added to ApplicationConfig; Nest 11's has no route resolution strategy. */
type StrategyConfig = Partial<Pick<ApplicationConfig, 'getRouteResolutionStrategy'>>;

/** Whether loading an optional module failed only because it is not installed. */
export function isModuleNotFound(error: unknown): boolean {
  const code: unknown = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function isRouteSorter(value: unknown): value is RouteSorter {
  return typeof value === 'function' && typeof (value as Partial<RouteSorter>).sort === 'function';
}

/** Loads Nest 12's route sorter module; a parameter only so that a test can give another module. */
type SorterModuleLoader = () => Promise<{ readonly RouteSpecificitySorter?: unknown }>;

const loadSorterModule: SorterModuleLoader = () => import('@nestjs/core/router/route-specificity-sorter.js');

/**
 * Nest 12's RouteSpecificitySorter, or undefined with Nest 11, which has no
 * such file and registers routes in declaration order. Loaded when the table
 * is built, never imported statically: a static import of a Nest 12 file
 * stops a Nest 11 application at start with "Cannot find module". A file
 * that is there without the sorter (a Nest that moved it) stops start-up
 * naming it: without it the table would not know the router's order.
 */
export async function loadRouteSorter(load: SorterModuleLoader = loadSorterModule): Promise<RouteSorter | undefined> {
  let loaded: { readonly RouteSpecificitySorter?: unknown };
  try {
    loaded = await load();
  } catch (error) {
    if (isModuleNotFound(error)) return undefined;
    throw error;
  }
  if (!isRouteSorter(loaded.RouteSpecificitySorter)) {
    throw new CorsConfigurationError([
      '@nestjs/core/router/route-specificity-sorter.js has no RouteSpecificitySorter with a sort() method, ' +
        'which tells nestjs-route-cors the order Nest registers routes in; this @nestjs/core is one it does not know',
    ]);
  }
  return loaded.RouteSpecificitySorter;
}

/**
 * The routes in the order the router tries them: Nest's specificity order
 * where the application sorts, else declaration order. An application that
 * sorts (Nest 12 asked for it, or an adapter that ranks routes itself) with
 * no sorter loaded stops start-up: declaration order would pick another
 * route's policy for some paths.
 */
export function inRouterOrder(
  routes: ResolvedRoute[],
  sortsBySpecificity: boolean,
  sorter: RouteSorter | undefined,
): ResolvedRoute[] {
  if (!sortsBySpecificity) return routes;
  if (sorter === undefined) {
    throw new CorsConfigurationError([
      'this application orders routes by specificity but @nestjs/core has no RouteSpecificitySorter ' +
        '(@nestjs/core/router/route-specificity-sorter.js) to tell nestjs-route-cors that order',
    ]);
  }
  return sorter.sort(routes);
}
export type VersionValue = NonNullable<RoutePathMetadata['controllerVersion']>;

/** A route as Nest registers it, before its policy and version filter are attached. */
export interface NestRoute extends Omit<IndexedRoute<never, never>, 'policy' | 'handler' | 'servesVersion'> {
  readonly controller: Type;
  readonly methodName: string;
  /**
   * The route's version where a header, media type or custom version picks
   * the handler at request time (the platform's router reads it); undefined
   * with URI versioning, which is in the path, and without a version.
   */
  readonly pickedVersion: VersionValue | undefined;
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

function versionLabel(version: VersionValue): string {
  return asArray(version)
    .map((v) => (v === VERSION_NEUTRAL ? 'neutral' : String(v)))
    .join('|');
}

function addLeadingSlash(path: string): string {
  return path === '' || path.startsWith('/') || path.startsWith('{/') ? path : `/${path}`;
}

/** Nest's host filter (RouterExplorer#applyHostFilter): path-to-regexp for strings, regular expressions as given. */
function hostMatcher(host: HostMetadata): (hostname: string) => boolean {
  const patterns = asArray(host).map((h) => (typeof h === 'string' ? pathToRegexp(h).regexp : h));
  return (hostname) => patterns.some((pattern) => hostname.match(pattern) !== null);
}

function hostLabel(host: HostMetadata): string {
  return asArray(host).map(String).join('|');
}

export class NestRouteReader {
  private readonly pathFactory: RoutePathFactory;
  private readonly paths = new PathsExplorer(new MetadataScanner());

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly modules: ModulesContainer,
    private readonly config: ApplicationConfig,
    private readonly adapter: HttpServer,
    private readonly sorter: RouteSorter | undefined,
  ) {
    this.pathFactory = new RoutePathFactory(config);
  }

  /** Every route, in the order the router will try them. */
  read(): NestRoute[] {
    const resolved: ResolvedRoute[] = [];
    const routes = new Map<ResolvedRoute, NestRoute>();
    const globalPrefix = addLeadingSlash(this.config.getGlobalPrefix());
    // Module by module, in the order RoutesResolver registers them.
    for (const wrapper of this.discovery.getControllers()) {
      const modulePath = wrapper.host && this.modulePath(wrapper.host.metatype);
      for (const route of this.controllerRoutes(wrapper, modulePath, globalPrefix)) {
        resolved.push(route.resolved);
        routes.set(route.resolved, route.route);
      }
    }
    const ordered = inRouterOrder(resolved, this.sortsBySpecificity(), this.sorter);
    return ordered.flatMap((r) => routes.get(r) ?? []);
  }

  /** RouterModule's path (RoutesResolver#getModulePathMetadata), stored under the application's id. */
  private modulePath(metatype: Type): string | undefined {
    const path: unknown =
      Reflect.getMetadata(MODULE_PATH + this.modules.applicationId, metatype) ??
      Reflect.getMetadata(MODULE_PATH, metatype);
    return typeof path === 'string' ? path : undefined;
  }

  /**
   * NestApplication#registerRouter sorts only when asked to and when the
   * adapter matches in registration order. A router that does not (Fastify's
   * find-my-way) ranks routes itself, static before parametric before
   * wildcard, the ranking Nest's sorter reproduces for the others. Nest 11
   * has neither the question nor the strategy (nor the sorter).
   */
  private sortsBySpecificity(): boolean {
    const orderSensitive = this.adapter.isRouteOrderSensitive?.() ?? true;
    return !orderSensitive || (this.config as StrategyConfig).getRouteResolutionStrategy?.() === 'specificity';
  }

  private *controllerRoutes(
    wrapper: InstanceWrapper,
    modulePath: string | undefined,
    globalPrefix: string,
  ): Generator<{ readonly resolved: ResolvedRoute; readonly route: NestRoute }> {
    const controller = wrapper.metatype as Type | null;
    if (!controller) return;
    const host = Reflect.getMetadata(HOST_METADATA, controller) as HostMetadata | undefined;
    const versioningOptions = this.config.getVersioning();
    // RoutesResolver#getVersionMetadata: the controller's version, else the default, and only with versioning on.
    const controllerVersion = versioningOptions
      ? ((Reflect.getMetadata(VERSION_METADATA, controller) ?? versioningOptions.defaultVersion) as
          VersionValue | undefined)
      : undefined;
    const controllerPaths = (Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '/';
    const prototype = controller.prototype as object;
    for (const ctrlPath of asArray(controllerPaths).map(addLeadingSlash)) {
      for (const definition of this.paths.scanForPaths(prototype, prototype)) {
        // RoutePathFactory#getVersion: the handler's version, else the controller's.
        const version = definition.version || controllerVersion;
        const pickedVersion = versioningOptions?.type === VersioningType.URI ? undefined : version;
        const filtered = pickedVersion !== undefined && pickedVersion !== VERSION_NEUTRAL;
        for (const methodPath of definition.path) {
          const metadata: RoutePathMetadata = {
            ctrlPath,
            modulePath,
            globalPrefix,
            controllerVersion,
            methodVersion: definition.version,
            methodPath,
            versioningOptions,
          };
          for (const rawPath of this.pathFactory.create(metadata, definition.requestMethod)) {
            const path = this.adapter.normalizePath?.(rawPath) ?? rawPath;
            const route: NestRoute = {
              controller,
              methodName: definition.methodName,
              method: RequestMethod[definition.requestMethod] ?? 'ALL',
              path,
              host: host === undefined ? undefined : hostLabel(host),
              servesHost: host === undefined ? undefined : hostMatcher(host),
              version: filtered ? versionLabel(pickedVersion) : undefined,
              pickedVersion,
            };
            const resolved: ResolvedRoute = {
              method: definition.requestMethod,
              path,
              rawPath,
              host,
              version,
              methodVersion: definition.version,
              controllerVersion,
              handler: () => undefined,
              targetCallback: definition.targetCallback,
              methodName: definition.methodName,
              instanceWrapper: wrapper,
            };
            yield { resolved, route };
          }
        }
      }
    }
  }
}
