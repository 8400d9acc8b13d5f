/**
 * The package's fixture applications, as a user writes them: `NestFactory.create`
 * on the HTTP platform under test (support/platform.ts), Nest's default
 * exception handling (no filter, pipe or request id of an application), no
 * logs unless a test asks for them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication, LoggerService } from '@nestjs/common';
import { type AbstractHttpAdapter, type IEntryNestModule, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { CORS_REFUSED_MESSAGE } from 'nestjs-route-cors';
import { ON_FASTIFY } from './platform.js';

export { HTTP_ADAPTER, ON_FASTIFY } from './platform.js';

/** What Nest's default exception filter answers for a CORS refusal (a `CorsRejectedException`). */
export const REFUSAL_BODY = { statusCode: 403, message: CORS_REFUSED_MESSAGE, error: 'Forbidden' };

export interface FixtureAppOptions {
  /** Express's `trust proxy`, Fastify's `trustProxy`: which peers' `X-Forwarded-*` headers count. */
  readonly trustProxy?: string;
  /** Fastify's router ignores one trailing slash, as Express's does by default (no effect on Express). */
  readonly ignoreTrailingSlash?: boolean;
  /** An adapter the test built itself (over an HTTP application of its own); the options above then do not apply. */
  readonly adapter?: AbstractHttpAdapter;
  /** Where the application's logs go; none by default. */
  readonly logger?: LoggerService;
}

/** The adapter of the platform under test. */
export function httpAdapter({ trustProxy, ignoreTrailingSlash }: FixtureAppOptions = {}): AbstractHttpAdapter {
  if (ON_FASTIFY) {
    return new FastifyAdapter({
      ...(trustProxy !== undefined && { trustProxy }),
      routerOptions: { ignoreTrailingSlash: ignoreTrailingSlash === true },
    });
  }
  const server = express();
  if (trustProxy !== undefined) server.set('trust proxy', trustProxy);
  return new ExpressAdapter(server);
}

/** Creates a fixture application on the platform under test, not initialised yet. */
export function createFixtureApp(
  rootModule: IEntryNestModule,
  options: FixtureAppOptions = {},
): Promise<INestApplication> {
  return NestFactory.create(rootModule, options.adapter ?? httpAdapter(options), {
    logger: options.logger ?? false,
    abortOnError: false,
  });
}

/** Initialises the application; on Fastify, also readies the instance, as `listen()` would. */
export async function initialised(app: INestApplication): Promise<INestApplication> {
  await app.init();
  const instance: unknown = app.getHttpAdapter().getInstance();
  if (
    typeof instance === 'object' &&
    instance !== null &&
    'ready' in instance &&
    typeof instance.ready === 'function'
  ) {
    await (instance.ready as () => Promise<unknown>).call(instance);
  }
  return app;
}

/** Creates and initialises a fixture application. */
export async function startFixtureApp(
  rootModule: IEntryNestModule,
  options: FixtureAppOptions = {},
): Promise<INestApplication> {
  return initialised(await createFixtureApp(rootModule, options));
}

/** Starts the application listening on a free port of 127.0.0.1 (or `host`); resolves to the port. */
export async function listening(app: INestApplication, host = '127.0.0.1'): Promise<number> {
  await app.listen(0, host);
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
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
