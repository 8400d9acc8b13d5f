import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import { CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleAsyncOptions, CorsModuleOptions } from './cors-module-options.interface.js';
import { CorsConfigurationError } from '../core/index.js';
import { CorsHook } from './cors-hook.js';
import type { CorsHttpPlatform } from './cors-platform.interface.js';
import { CorsResponder } from './cors-responder.js';
import { CorsPolicies } from './cors-policies.service.js';
import { CorsRouteTable } from './cors-route-table.js';
import { CorsGateways } from '../websockets/cors-gateways.js';

const SHARED_PROVIDERS: Provider[] = [CorsRouteTable, CorsResponder, CorsPolicies, CorsGateways];
const EXPORTS = [CorsRouteTable, CorsPolicies, CorsGateways];

/**
 * Decorator-driven CORS: register named policies here, declare them on
 * controllers and handlers with `@Cors()`. Import once, in the root module.
 */
@Module({})
export class CorsModule {
  constructor(adapterHost: HttpAdapterHost, routes: CorsRouteTable, responder: CorsResponder) {
    // Installed as soon as the application has its HTTP adapter, hence ahead
    // of the body parser, Nest middleware and guards that `init()` adds later.
    // NestFactory.create sets the adapter before the modules exist (init$ has
    // fired already); a testing module's createNestApplication() sets it after
    // compile(). An application context without HTTP never gets one.
    adapterHost.init$.subscribe(() => {
      let platform: CorsHttpPlatform<unknown, unknown>;
      try {
        platform = routes.platform;
      } catch (error) {
        // An unsupported platform gets no hook; the route table refuses it again in onModuleInit, where Nest reports it.
        if (error instanceof CorsConfigurationError) return;
        throw error;
      }
      const hook = new CorsHook(platform, routes, responder);
      platform.install((request, response, next) => hook.handle(request, response, next));
    });
  }

  static forRoot(options: CorsModuleOptions): DynamicModule {
    return {
      module: CorsModule,
      global: true,
      // MetadataScanner, which the route table reads controllers with.
      imports: [DiscoveryModule],
      providers: [{ provide: CORS_MODULE_OPTIONS, useValue: options }, ...SHARED_PROVIDERS],
      exports: EXPORTS,
    };
  }

  static forRootAsync(options: CorsModuleAsyncOptions): DynamicModule {
    return {
      module: CorsModule,
      global: true,
      imports: [DiscoveryModule, ...(options.imports ?? [])],
      providers: [
        { provide: CORS_MODULE_OPTIONS, useFactory: options.useFactory, inject: options.inject ?? [] },
        ...SHARED_PROVIDERS,
      ],
      exports: EXPORTS,
    };
  }
}
