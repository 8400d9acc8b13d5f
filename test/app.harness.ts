/**
 * Boots the real application (same factory, pipes, filters and CORS module as
 * main.ts) for e2e tests, with a configuration built from an environment map.
 */
import type { INestApplication } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core';
import { type AppOptions, createApp } from '../src/app.factory.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
// The package's e2e harness serves the service's suites too: initialisation, the app around a suite, preflights.
import { initialised } from './support/fixture-app.js';
import { HTTP_ADAPTER } from './support/platform.js';
import { recordRegisteredRoutes } from './support/registered-routes.js';

export { HTTP_ADAPTER, initialised };
export { preflight, useApp } from './support/fixture-app.js';

export async function startApp(env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({ HTTP_ADAPTER, ...env });
  return startModule(AppModule.forConfig(config), config);
}

/** The service's factory, on the platform under test, without logs; the routes the platform registers are recorded. */
export async function createTestApp(
  rootModule: IEntryNestModule,
  options: Omit<AppOptions, 'logLevels'> = {},
): Promise<INestApplication> {
  const httpAdapter = options.httpAdapter ?? HTTP_ADAPTER;
  return recordRegisteredRoutes(await createApp(rootModule, { ...options, httpAdapter, logLevels: false }));
}

/** Creates and initialises the application; on Fastify, also readies the instance, as `listen()` would. */
export async function startModule(
  rootModule: IEntryNestModule,
  options: Omit<AppOptions, 'logLevels'> = {},
): Promise<INestApplication> {
  return initialised(await createTestApp(rootModule, options));
}

/** What the service answers as JSON: a greeting, or an error's message. */
export interface ServiceAnswer {
  readonly greeting?: string;
  readonly timestamp?: string;
  readonly error?: string;
}

/** A supertest response's parsed JSON body, as the service writes it. */
export function answerOf(response: { readonly body: unknown }): ServiceAnswer {
  return response.body as ServiceAnswer;
}
