/**
 * Boots the real application (same factory, pipes, filters and CORS module as
 * main.ts) for e2e tests, with a configuration built from an environment map.
 */
import type { INestApplication } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { type AppOptions, createApp } from '../src/app.factory.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { HTTP_ADAPTER } from './support/platform.js';

export { HTTP_ADAPTER };

export async function startApp(env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({ HTTP_ADAPTER, ...env });
  return startModule(AppModule.forConfig(config), config);
}

/** Every route Fastify registered for an application, as `METHOD path handler`, seen by its public `onRoute` hook. */
const fastifyRoutes = new WeakMap<INestApplication, string[]>();

/** The service's factory, on the platform under test, without logs. */
export async function createTestApp(rootModule: IEntryNestModule, options: Omit<AppOptions, 'logLevels'> = {}): Promise<INestApplication> {
  const httpAdapter = options.httpAdapter ?? HTTP_ADAPTER;
  const app = await createApp(rootModule, { ...options, httpAdapter, logLevels: false });
  if (httpAdapter === 'fastify') {
    const registered: string[] = [];
    fastifyRoutes.set(app, registered);
    (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('onRoute', ({ method, url, handler }) => {
      const methods = Array.isArray(method) ? method : [method];
      for (const name of methods.length > 1 ? ['ALL'] : methods) registered.push(`${name} ${url} ${handler.name}`);
    });
  }
  return app;
}

/** What `createTestApp()` saw Fastify register, in registration order. */
export function fastifyRegisteredRoutes(app: INestApplication): readonly string[] {
  const routes = fastifyRoutes.get(app);
  if (routes === undefined) throw new Error('not an application of createTestApp() on Fastify');
  return routes;
}

/** Creates and initialises the application; on Fastify, also readies the instance, as `listen()` would. */
export async function startModule(rootModule: IEntryNestModule, options: Omit<AppOptions, 'logLevels'> = {}): Promise<INestApplication> {
  return initialised(await createTestApp(rootModule, options));
}

export async function initialised(app: INestApplication): Promise<INestApplication> {
  await app.init();
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (typeof instance === 'object' && instance !== null && 'ready' in instance && typeof instance.ready === 'function') {
    await (instance.ready as () => Promise<unknown>).call(instance);
  }
  return app;
}

/**
 * Starts the app before the suite and closes it after; `server()` is the
 * HTTP server for supertest.
 */
export function useApp(start: () => Promise<INestApplication>): { app: () => INestApplication; server: () => App } {
  let app: INestApplication | undefined;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(async () => {
    await app?.close();
  });
  const current = (): INestApplication => {
    if (!app) throw new Error('the app is not started yet');
    return app;
  };
  return { app: current, server: () => current().getHttpServer() as App };
}

/** A preflight as a browser sends it. */
export function preflight(server: App, path: string, origin: string, method: string, headers?: string): request.Test {
  const test = request(server).options(path).set('Origin', origin).set('Access-Control-Request-Method', method);
  return headers === undefined ? test : test.set('Access-Control-Request-Headers', headers);
}
