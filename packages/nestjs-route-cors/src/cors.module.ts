/**
 * The composition root: the one file that knows every part. It picks the
 * HTTP platform once the application has its adapter, hands it to the route
 * table, installs the request hook, and wires the gateways' handshake checks
 * and reports.
 */
import { type DynamicModule, Inject, Logger, Module, type OnModuleInit, type Provider } from '@nestjs/common';
import { type AbstractHttpAdapter, DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { CorsConfigurationError } from './core/errors.js';
import { CORS_GATEWAY_REPORTS, CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './nest/cors.constants.js';
import { CorsHook } from './nest/cors-hook.js';
import type { CorsModuleAsyncOptions, CorsModuleOptions } from './nest/cors-module-options.interface.js';
import type { CorsHttpPlatform } from './nest/cors-platform.js';
import { CorsPolicies } from './nest/cors-policies.service.js';
import { CorsPolicySet } from './nest/cors-policy-set.js';
import { CorsPolicySyncService } from './nest/cors-policy-sync.service.js';
import { CorsResponder } from './nest/cors-responder.js';
import { CorsRouteTable } from './nest/cors-route-table.js';
import { CorsTelemetry } from './nest/cors-telemetry.js';
import { supportedReleases } from './nest/supported-releases.js';
import { ExpressPlatform } from './platforms/express.js';
import { FastifyPlatform } from './platforms/fastify.js';
import type { FastifyHttpAdapter } from './platforms/fastify-router.js';
import { CorsGateways } from './websockets/cors-gateways.js';
import { PathRuleUpgrades } from './websockets/path-rule-upgrades.js';

const PROVIDERS: Provider[] = [
  CorsPolicySet,
  CorsPolicySyncService,
  CorsRouteTable,
  CorsResponder,
  CorsPolicies,
  CorsGateways,
  { provide: CORS_GATEWAY_REPORTS, useExisting: CorsGateways },
  PathRuleUpgrades,
  CorsTelemetry,
];

/** The platform file for the application's HTTP adapter, by the name the adapter gives itself. */
function platformFor(adapter: AbstractHttpAdapter): CorsHttpPlatform<unknown, unknown> {
  const type = adapter.getType();
  switch (type) {
    case 'express':
      return new ExpressPlatform(adapter);
    case 'fastify':
      return new FastifyPlatform(adapter as FastifyHttpAdapter);
    default:
      throw new CorsConfigurationError([
        `nestjs-route-cors supports @nestjs/platform-express and @nestjs/platform-fastify; this application runs on '${type}'`,
      ]);
  }
}

/**
 * Decorator-driven CORS: register named policies here, declare them on
 * controllers, handlers and gateways with `@Cors()`. Import once, in the
 * root module.
 */
@Module({})
export class CorsModule implements OnModuleInit {
  /** A platform without support gets no hook; start-up stops in onModuleInit, where Nest reports it. */
  private unsupported: CorsConfigurationError | undefined;

  constructor(
    adapterHost: HttpAdapterHost,
    routes: CorsRouteTable,
    responder: CorsResponder,
    @Inject(CORS_MODULE_OPTIONS) options: CorsModuleOptions,
  ) {
    const init$: HttpAdapterHost['init$'] | undefined = adapterHost.init$;
    if (init$ === undefined) {
      throw new CorsConfigurationError([
        `this version of @nestjs/core has no HttpAdapterHost.init$, which tells when the application has its HTTP adapter; nestjs-route-cors needs ${supportedReleases('@nestjs/core')}`,
      ]);
    }
    // Installed as soon as the application has its HTTP adapter, hence ahead
    // of the body parser, Nest middleware and guards that `init()` adds later.
    // NestFactory.create sets the adapter before the modules exist (init$ has
    // fired already); a testing module's createNestApplication() sets it after
    // compile(). An application context without HTTP never gets one.
    init$.subscribe(() => {
      let platform: CorsHttpPlatform<unknown, unknown>;
      try {
        platform = platformFor(adapterHost.httpAdapter);
      } catch (error) {
        if (!(error instanceof CorsConfigurationError)) throw error;
        this.unsupported = error;
        return;
      }
      responder.captureSecurityHeaders(adapterHost.httpAdapter);
      responder.describeRoutesWith((request) => routes.routeOf(request));
      const hook = new CorsHook(platform, routes.attach(platform), routes, responder);
      platform.install((request, response, next) => hook.handle(request, response, next));
      if (options.mode === 'report-only') {
        // The way in for an application that runs with another layer: it answers, the policies are compared with it.
        new Logger(CORS_LOGGER_CONTEXT).log(
          'report-only mode: the @Cors() policies decide every request and write nothing; another CORS layer (app.enableCors(), cors(), @fastify/cors) may answer meanwhile, and where its answers differ from the policies a decision event and a warning say so',
        );
      } else {
        platform.refuseSecondCorsLayer();
      }
    });
  }

  onModuleInit(): void {
    if (this.unsupported !== undefined) {
      throw this.unsupported;
    }
  }

  static forRoot(options: CorsModuleOptions): DynamicModule {
    return {
      module: CorsModule,
      global: true,
      // DiscoveryService, which finds the controllers and gateways.
      imports: [DiscoveryModule],
      providers: [{ provide: CORS_MODULE_OPTIONS, useValue: options }, ...PROVIDERS],
      exports: [CorsPolicies],
    };
  }

  static forRootAsync(options: CorsModuleAsyncOptions): DynamicModule {
    return {
      module: CorsModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: CORS_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...PROVIDERS,
      ],
      exports: [CorsPolicies],
    };
  }
}
