import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from './common/app-config.js';
import { HttpErrorFilter } from './common/http-error.filter.js';
import { corsPolicies } from './cors-policies.js';
import { CorsModule } from 'nestjs-route-cors';
import { GreetModule } from './greet/greet.module.js';
import { HealthController } from './health/health.controller.js';

@Module({})
export class AppModule {
  /**
   * The application for a given configuration. main.ts passes the one
   * `@nestjs/config` loaded, with its ConfigModule (ConfigService for every
   * module); tests pass one built from an environment map.
   */
  static forConfig(config: AppConfig, configModule?: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ...(configModule ? [configModule] : []),
        CorsModule.forRootAsync({ inject: [APP_CONFIG], useFactory: corsPolicies }),
        GreetModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
      exports: [APP_CONFIG],
      global: true,
    };
  }
}
