import { type HttpServer, Inject, Injectable, Logger, type OnModuleInit, type Type } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, HttpAdapterHost, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import {
  compileNamedPolicies,
  type CompiledCorsPolicy,
  CorsConfigurationError,
  CorsPolicyError,
  formatRouteTable,
  type IndexedRoute,
  intersectPolicies,
  type PathRoutes,
  type PreflightTarget,
  resolveRoutePolicy,
  type RouteReportRow,
  type RoutedRequest,
  RoutePathIndex,
} from '../core/index.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import { CorsMetadata } from './cors.decorator.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import { NestRouteReader } from './nest-routes.js';

export type CorsRoute = IndexedRoute<CompiledCorsPolicy, Request>;

/** Express's defaults, for an adapter that does not tell its matching settings. */
const DEFAULT_MATCHING = { caseSensitive: false, ignoreTrailingSlash: true };

/**
 * Every HTTP route of the application with its effective CORS policy. The
 * policies are read from the `@Cors()` metadata when the module is created,
 * so invalid policies, unknown names and misplaced decorators stop the
 * application before it listens. The paths are read once Nest has registered
 * its routes (global prefix, RouterModule and versioning are final then). The
 * request path only looks things up.
 */
@Injectable()
export class CorsRouteTable implements OnModuleInit {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  /** The effective policy of each route handler, by controller and method name. */
  private readonly handlerPolicies = new Map<Type, Map<string, CompiledCorsPolicy | undefined>>();
  private routeList: readonly CorsRoute[] = [];
  private index = new RoutePathIndex<CompiledCorsPolicy, Request>([], DEFAULT_MATCHING, intersectPolicies);

  constructor(
    private readonly modules: ModulesContainer,
    private readonly metadataScanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    const named = compileNamedPolicies(options.policies ?? {});
    const problems: string[] = [];
    for (const module of modules.values()) {
      for (const wrapper of module.controllers.values()) {
        const controller = wrapper.metatype as Type | null;
        if (controller) {
          this.handlerPolicies.set(controller, this.controllerPolicies(controller, named, problems));
        }
      }
    }
    if (problems.length > 0) {
      throw new CorsConfigurationError(problems);
    }
  }

  /**
   * Runs in `app.init()` after Nest has registered its routes, so the
   * global prefix and versioning set on the application are final. An
   * application context without HTTP (e.g. `cors:explain`'s) serves no route.
   */
  onModuleInit(): void {
    const adapter: HttpServer | undefined = this.adapterHost.httpAdapter;
    if (adapter === undefined) {
      return;
    }
    this.routeList = new NestRouteReader<Request>(this.modules, this.appConfig, adapter).read().map(
      ({ controller, methodName, ...route }): CorsRoute => ({
        ...route,
        policy: this.handlerPolicies.get(controller)?.get(methodName),
        handler: `${controller.name}.${methodName}`,
      }),
    );
    this.index = new RoutePathIndex(this.routeList, adapter.getRouteMatchingOptions?.() ?? DEFAULT_MATCHING, intersectPolicies);
    if (this.options.logRoutes !== false) {
      this.logger.log(`CORS policies by route:\n${formatRouteTable(this.reportRows())}`);
    }
  }

  /** All routes, in the order the router tries them, for reports. */
  get routes(): readonly CorsRoute[] {
    return this.routeList;
  }

  /** The rows of `cors:routes` and the start-up log: every route, then what version-picked preflights get. */
  reportRows(): RouteReportRow[] {
    const preflights = this.index.versionedPreflights().map(({ route, policy }) => ({
      method: 'OPTIONS',
      path: route.path,
      host: route.host,
      version: `preflight for ${route.method}, any version`,
      policy,
    }));
    return [...this.routeList, ...preflights];
  }

  /** The routes matching a request path (the URL's path, without query), if any. */
  routesAt(pathname: string): PathRoutes<CompiledCorsPolicy, Request> | undefined {
    return this.index.lookup(pathname);
  }

  /** The policy answering a preflight that asks for `requestMethod` at `entry`. */
  preflightTarget(entry: PathRoutes<CompiledCorsPolicy, Request>, requestMethod: string, routed: RoutedRequest<Request>): PreflightTarget<CompiledCorsPolicy> {
    return this.index.preflightTarget(entry, requestMethod, routed);
  }

  private controllerPolicies(
    controller: Type,
    named: ReturnType<typeof compileNamedPolicies>,
    problems: string[],
  ): Map<string, CompiledCorsPolicy | undefined> {
    const prototype = controller.prototype as Record<string, unknown>;
    const classDeclaration = this.reflector.get(CorsMetadata, controller);
    const policies = new Map<string, CompiledCorsPolicy | undefined>();
    for (const handlerName of this.metadataScanner.getAllMethodNames(prototype)) {
      const handler = prototype[handlerName];
      if (typeof handler !== 'function') continue;
      const handlerDeclaration = this.reflector.get(CorsMetadata, handler);
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
        // Not a route: a @Cors() here would be silently ignored.
        if (handlerDeclaration !== undefined) {
          problems.push(`@Cors() on ${controller.name}.${handlerName} has no effect: the method is not a route handler (add @Get(), @Post(), ...)`);
        }
        continue;
      }
      try {
        policies.set(
          handlerName,
          resolveRoutePolicy({ controller: controller.name, handler: handlerName, classDeclaration, handlerDeclaration }, named),
        );
      } catch (error) {
        if (error instanceof CorsConfigurationError) problems.push(...error.problems);
        else if (error instanceof CorsPolicyError) problems.push(error.message);
        else throw error;
      }
    }
    return policies;
  }
}
