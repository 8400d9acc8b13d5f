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
  /** The application for a given configuration (main.ts reads it from the environment). */
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
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
