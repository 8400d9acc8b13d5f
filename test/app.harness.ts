/**
 * Boots the real application (same factory, pipes, filters and CORS module as
 * main.ts) for e2e tests, with a configuration built from an environment map.
 */
import type { INestApplication } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { type AppOptions, createApp } from '../src/app.factory.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';

export async function startApp(env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig(env);
  return startModule(AppModule.forConfig(config), config);
}

export async function startModule(rootModule: IEntryNestModule, options: Omit<AppOptions, 'logLevels'> = {}): Promise<INestApplication> {
  const app = await createApp(rootModule, { ...options, logLevels: false });
  await app.init();
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
