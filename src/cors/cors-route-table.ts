import { Inject, Injectable, Logger, type OnModuleInit, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import {
  compileNamedPolicies,
  type CompiledCorsPolicy,
  CorsConfigurationError,
  CorsPolicyError,
  formatRouteTable,
  type IndexedRoute,
  type PathRoutes,
  RoutePathIndex,
  resolveRoutePolicy,
} from './core/index.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import { CorsMetadata } from './cors.decorator.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';

export type CorsRoute = IndexedRoute<CompiledCorsPolicy>;

function asList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? [value] : ['/'];
}

function joinPath(controllerPath: string, methodPath: string): string {
  const segments = [controllerPath, methodPath].map((p) => p.replace(/^\/+|\/+$/g, '')).filter((p) => p !== '');
  return `/${segments.join('/')}`;
}

/**
 * Every HTTP route of the application with its effective CORS policy, read
 * once at start-up from the `@Cors()` metadata of the discovered controllers.
 * Invalid policies or unknown policy names stop the application here, before
 * it listens. The request path only looks things up.
 */
@Injectable()
export class CorsRouteTable implements OnModuleInit {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private routeList: readonly CorsRoute[];
  private paths: RoutePathIndex<CompiledCorsPolicy>;

  constructor(
    discovery: DiscoveryService,
    private readonly metadataScanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    const named = compileNamedPolicies(options.policies ?? {});
    const routes: CorsRoute[] = [];
    const problems: string[] = [];
    for (const wrapper of discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null;
      if (controller) {
        routes.push(...this.controllerRoutes(controller, named, problems));
      }
    }
    if (problems.length > 0) {
      throw new CorsConfigurationError(problems);
    }
    this.routeList = routes;
    this.paths = new RoutePathIndex(routes);
  }

  /**
   * The global prefix is set after the modules are created
   * (`app.setGlobalPrefix()`), and before `init()` runs this hook: the paths
   * get it here, the way Nest's router applies it, exclusions included.
   */
  onModuleInit(): void {
    const prefix = this.appConfig.getGlobalPrefix();
    if (prefix !== '') {
      const exclude = this.appConfig.getGlobalPrefixOptions().exclude ?? [];
      this.routeList = this.routeList.map((route) => {
        const method = RequestMethod[route.method as keyof typeof RequestMethod];
        const excluded = exclude.some(
          (rule) => (rule.requestMethod === RequestMethod.ALL || rule.requestMethod === method) && rule.pathRegex.test(route.path),
        );
        return excluded ? route : { ...route, path: joinPath(prefix, route.path) };
      });
      this.paths = new RoutePathIndex(this.routeList);
    }
    if (this.options.logRoutes !== false) {
      this.logger.log(`CORS policies by route:\n${formatRouteTable(this.routeList)}`);
    }
  }

  /** All routes, in registration order, for reports. */
  get routes(): readonly CorsRoute[] {
    return this.routeList;
  }

  /** The routes registered at the path of `url`, if any. */
  routesAt(url: string): PathRoutes<CompiledCorsPolicy> | undefined {
    return this.paths.lookup(url);
  }

  private controllerRoutes(
    controller: Type,
    named: ReturnType<typeof compileNamedPolicies>,
    problems: string[],
  ): CorsRoute[] {
    const prototype = controller.prototype as Record<string, unknown>;
    const classDeclaration = this.reflector.get(CorsMetadata, controller);
    const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
    const routes: CorsRoute[] = [];
    for (const handlerName of this.metadataScanner.getAllMethodNames(prototype)) {
      const handler = prototype[handlerName];
      const requestMethod: unknown = typeof handler === 'function' ? Reflect.getMetadata(METHOD_METADATA, handler) : undefined;
      if (typeof handler !== 'function' || typeof requestMethod !== 'number') {
        continue;
      }
      let policy: CompiledCorsPolicy | undefined;
      try {
        policy = resolveRoutePolicy(
          {
            controller: controller.name,
            handler: handlerName,
            classDeclaration,
            handlerDeclaration: this.reflector.get(CorsMetadata, handler),
          },
          named,
        );
      } catch (error) {
        if (error instanceof CorsConfigurationError) problems.push(...error.problems);
        else if (error instanceof CorsPolicyError) problems.push(error.message);
        else throw error;
        continue;
      }
      const method = RequestMethod[requestMethod] ?? 'ALL';
      for (const controllerPath of controllerPaths) {
        for (const methodPath of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
          routes.push({ method, path: joinPath(controllerPath, methodPath), policy, handler: `${controller.name}.${handlerName}` });
        }
      }
    }
    return routes;
  }
}
