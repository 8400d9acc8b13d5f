import type { AppConfig } from './common/app-config.js';
import type { CorsModuleOptions } from 'nestjs-route-cors';

/**
 * The service's named CORS policies, from its validated configuration.
 * Outside production, refusals carry their reason for the browser's network tab.
 */
export function corsPolicies(config: AppConfig): CorsModuleOptions {
  return {
    exposeRejectionReason: !config.production,
    mode: config.cors.mode,
    policies: {
      frontend: {
        origins: config.cors.allowedOrigins,
        methods: ['POST'],
        allowedHeaders: ['Content-Type'],
        exposedHeaders: ['X-Request-Id'],
        credentials: config.cors.allowCredentials,
        maxAge: 60,
      },
      public: { origins: '*', methods: ['GET'], credentials: false },
    },
  };
}
