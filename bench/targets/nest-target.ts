/**
 * One Nest target of the benchmark, started as its own process:
 *   node dist-bench/bench/targets/nest-target.js <variant>
 * variants: cors-module (this service), cors-predicate (its allowlist asked of
 * a cached originPredicate), no-cors (the floor), enable-cors
 * (Nest's built-in expressjs/cors, or @fastify/cors), report-only (this
 * service in report-only mode beside that enableCors()), empty-interceptor (the floor plus a global
 * interceptor that does nothing: the cost of Nest's interceptor machinery),
 * empty-request-hook (Fastify only: the floor plus a request hook that only
 * calls `done()`, in the adapter slot nestjs-route-cors uses), adapter-route
 * (POST /greet answered by a route added on the adapter, what no controller
 * declares, Express only, without CORS) and cors-path-rule (the same route under a path
 * rule with the service's `frontend` policy: what a rule path costs).
 * The allowlist comes from CORS_ALLOWED_ORIGINS and the platform from
 * HTTP_ADAPTER, as in the service. Prints
 * `ready <port> <start-up ms>` once listening.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import 'reflect-metadata';
import { type CallHandler, type ExecutionContext, Injectable, Module, type NestInterceptor } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, type IEntryNestModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import express, { type Express, type Request, type Response } from 'express';
import type { Observable } from 'rxjs';
import { createApp } from '../../src/app.factory.js';
import { AppModule } from '../../src/app.module.js';
import { loadConfig } from '../../src/common/environment.js';
import { HttpErrorFilter } from '../../src/common/http-error.filter.js';
import { CorsModule, isOriginPattern } from 'nestjs-route-cors';
import { corsPolicies } from '../../src/cors-policies.js';
import { GreetModule } from '../../src/greet/greet.module.js';
import { GreetService } from '../../src/greet/greet.service.js';
import { HealthController } from '../../src/health/health.controller.js';
import { patternToRegExp } from '../policies.js';
import { cutHookAfter, SPLIT_STAGES, type SplitStage } from './split.js';

const FILTER = { provide: APP_FILTER, useClass: HttpErrorFilter };

/** constant-cors-hook: the service's CORS answer, every header constant; whether it ended the answer (a preflight). */
function answeredWithConstants(request: IncomingMessage, response: ServerResponse): boolean {
  const allowed = config.cors.allowedOrigins[0];
  const { headers } = request;
  if (headers.origin === allowed && request.method === 'OPTIONS' && headers['access-control-request-method']) {
    response.setHeader('Access-Control-Allow-Origin', allowed);
    response.setHeader('Access-Control-Allow-Methods', 'POST');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
    response.setHeader('Access-Control-Max-Age', '60');
    response.setHeader('Vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    response.statusCode = 204;
    response.setHeader('Content-Length', '0');
    response.end();
    return true;
  }
  if (headers.origin === allowed) {
    response.setHeader('Access-Control-Allow-Origin', allowed);
    response.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
  }
  response.setHeader('Vary', 'Origin');
  return false;
}

/** The same API and error filter without any CORS layer. */
@Module({ imports: [GreetModule], controllers: [HealthController], providers: [FILTER] })
class NoCorsModule {}

@Injectable()
class EmptyInterceptor implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle();
  }
}

@Module({
  imports: [GreetModule],
  controllers: [HealthController],
  providers: [FILTER, { provide: APP_INTERCEPTOR, useClass: EmptyInterceptor }],
})
class EmptyInterceptorModule {}

const variant = process.argv[2] ?? '';
const started = performance.now();
const config = loadConfig(process.env);
const productionConfig = { ...config, production: true };

/** The service's policies with the allowlist asked of a predicate behind a cache, as a multi-tenant service runs it. */
function predicateModule(): IEntryNestModule {
  const registered = new Set(config.cors.allowedOrigins);
  const policies = corsPolicies(productionConfig);
  const frontend = {
    ...policies.policies?.frontend,
    origins: [],
    originPredicate: (origin: string) => registered.has(origin),
    originPredicateCache: { ttl: 3_600_000, negativeTtl: 3_600_000, max: 10_000 },
  };
  @Module({
    imports: [CorsModule.forRoot({ ...policies, policies: { ...policies.policies, frontend } }), GreetModule],
    controllers: [HealthController],
    providers: [FILTER],
  })
  class PredicateCorsModule {}
  return PredicateCorsModule;
}

/** POST /greet only on the adapter (added after init, behind Nest's body parser), under a path rule or without CORS. */
function adapterRouteModule(withRule: boolean): IEntryNestModule {
  const policies = corsPolicies(productionConfig);
  const cors = withRule ? [CorsModule.forRoot({ ...policies, paths: [{ path: '/greet', policy: 'frontend' }] })] : [];
  @Module({ imports: cors, controllers: [HealthController], providers: [FILTER, GreetService] })
  class AdapterRouteModule {}
  return AdapterRouteModule;
}

const modules: Record<string, IEntryNestModule> = {
  // Measured as production runs it (no rejection reason on refused answers); the allowlist is the article's localhost one.
  'cors-module': AppModule.forConfig(productionConfig),
  'cors-predicate': predicateModule(),
  'no-cors': NoCorsModule,
  'enable-cors': NoCorsModule,
  // Migration step 1: the service's policies in report-only mode beside the enableCors() it replaces.
  'report-only': AppModule.forConfig({ ...productionConfig, cors: { ...productionConfig.cors, mode: 'report-only' } }),
  'empty-interceptor': EmptyInterceptorModule,
  'empty-request-hook': NoCorsModule,
  'adapter-route': adapterRouteModule(false),
  'cors-path-rule': adapterRouteModule(true),
  'empty-middleware': NoCorsModule,
  'constant-cors-hook': NoCorsModule,
  ...Object.fromEntries(SPLIT_STAGES.map((stage) => [`split-${stage}`, AppModule.forConfig(productionConfig)])),
};
const rootModule = modules[variant];
if (!rootModule) throw new Error(`unknown variant "${variant}" (known: ${Object.keys(modules).join(', ')})`);
const splitStage = SPLIT_STAGES.find((stage) => variant === `split-${stage}`);
if (splitStage !== undefined) await cutHookAfter(splitStage satisfies SplitStage);
const app = await createApp(rootModule, { logLevels: ['error'], httpAdapter: config.httpAdapter });
if (variant === 'enable-cors' || variant === 'report-only') {
  // What a Nest user writes today for the same policy (expressjs/cors or @fastify/cors underneath).
  app.enableCors({
    origin: config.cors.allowedOrigins.map((origin) => (isOriginPattern(origin) ? patternToRegExp(origin) : origin)),
    methods: ['POST'],
    allowedHeaders: ['Content-Type'],
    exposedHeaders: ['X-Request-Id'],
    maxAge: 60,
  });
}
if (variant === 'empty-request-hook') {
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof FastifyAdapter))
    throw new Error('the empty-request-hook variant runs on Fastify only (HTTP_ADAPTER=fastify)');
  // The slot the package installs its hook in on Fastify, holding a hook that does nothing: the slot's own cost.
  adapter.setOnRequestHook((_request, _reply, done) => done());
}
if (variant === 'constant-cors-hook') {
  // The same answers as the service's to the workloads (all to /greet), every header a constant written with Node's
  // setHeader(): no route, no lookup, no decision. What a CORS layer in the package's slot costs at the least, but for
  // the package's own cheaper header filing (node-headers.ts).
  const adapter = app.getHttpAdapter();
  if (adapter instanceof FastifyAdapter) {
    adapter.setOnRequestHook((request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      if (!answeredWithConstants(request.raw, reply.raw)) done();
    });
  } else if (adapter instanceof ExpressAdapter) {
    adapter.setOnRequestHook((request: IncomingMessage, response: ServerResponse, done: () => void) => {
      if (!answeredWithConstants(request, response)) done();
    });
  }
}
if (variant === 'empty-middleware') {
  if (app.getHttpAdapter() instanceof FastifyAdapter)
    throw new Error('the empty-middleware variant runs on Express only (fastify-empty-hook is its Fastify twin)');
  // Where the package's hook sits on Express (the first app.use(), before the body parser and the routes), a middleware
  // that only calls next(): the slot's own cost.
  app.use((_request: Request, _response: Response, next: () => void) => next());
}
if (variant === 'adapter-route' || variant === 'cors-path-rule') {
  // On the Express instance, before init() adds Nest's routes and its not-found handler; with its own JSON parser,
  // which Nest's (added in init()) would come after.
  const greetService = app.get(GreetService);
  (app.getHttpAdapter().getInstance() as Express).post(
    '/greet',
    express.json(),
    (request: Request, response: Response) => {
      const body = request.body as { name?: string; lang?: string } | undefined;
      response.json(greetService.greet(body?.name ?? '', body?.lang));
    },
  );
}
await app.listen(0, '127.0.0.1');
const address = (app.getHttpServer() as Server).address() as { port: number };
process.stdout.write(`ready ${address.port} ${(performance.now() - started).toFixed(1)}\n`);
// Exit normally on SIGTERM, so that `--cpu-prof` can write its profile.
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
// Under `node --expose-gc` (bench:instructions), SIGUSR2 collects all garbage
// now, so that a counted window starts and ends on a collected heap.
const collectGarbage = (globalThis as { gc?: () => void }).gc;
if (collectGarbage) {
  process.on('SIGUSR2', () => {
    collectGarbage();
    process.stdout.write('collected\n');
  });
}
