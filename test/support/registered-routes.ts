/**
 * The routes the HTTP platform actually registered, to prove the route table
 * equal to them (Nest computes the paths; the table must not re-derive them).
 */
import { METHODS } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Application } from 'express';
import type { FastifyInstance } from 'fastify';
import { CorsPolicies } from 'nestjs-route-cors';

/** Every route Fastify registered for an application, as `METHOD path handler`, seen by its public `onRoute` hook. */
const fastifyRoutes = new WeakMap<INestApplication, string[]>();

function isFastify(app: INestApplication): boolean {
  return app.getHttpAdapter().getType() === 'fastify';
}

/** On Fastify, starts recording the routes it registers: call it before `init()`. Nothing to do on Express. */
export function recordRegisteredRoutes(app: INestApplication): INestApplication {
  if (isFastify(app)) {
    const registered: string[] = [];
    fastifyRoutes.set(app, registered);
    (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('onRoute', ({ method, url, handler }) => {
      const methods = Array.isArray(method) ? method : [method];
      for (const name of methods.length > 1 ? ['ALL'] : methods) registered.push(`${name} ${url} ${handler.name}`);
    });
  }
  return app;
}

interface ExpressRouteLayer {
  readonly route?: {
    readonly path: string;
    readonly methods: Record<string, boolean>;
    readonly stack: ReadonlyArray<{ readonly handle: { readonly name: string } }>;
  };
}

/** Nest names each route handler it registers `Controller.method`; its own 404 routes are named otherwise. */
const NEST_HANDLER_NAME = /^[A-Za-z_$][\w$]*\.[A-Za-z_$][\w$]*$/;

/**
 * The (method, path, handler) of every controller route the platform's router
 * holds: Express's in its order, read from the router itself; Fastify's as
 * its `onRoute` hook saw them, sorted (its router ranks routes itself), the
 * HEAD routes it adds for GET routes left out as the table leaves them out.
 */
export function registeredRoutes(app: INestApplication): string[] {
  if (isFastify(app)) {
    const recorded = fastifyRoutes.get(app);
    if (recorded === undefined) throw new Error('recordRegisteredRoutes() was not called before init()');
    const routes = recorded.filter((route) => NEST_HANDLER_NAME.test(route.split(' ')[2] ?? ''));
    return routes
      .filter((route) => !(route.startsWith('HEAD ') && routes.includes(route.replace(/^HEAD/, 'GET'))))
      .sort();
  }
  const stack = (app.getHttpAdapter().getInstance() as Application).router.stack as readonly ExpressRouteLayer[];
  return stack.flatMap(({ route }) => {
    const handler = route?.stack[0]?.handle.name ?? '';
    if (!route || !NEST_HANDLER_NAME.test(handler)) return [];
    const methods = Object.keys(route.methods);
    const names = methods.length === METHODS.length ? ['ALL'] : methods.map((m) => m.toUpperCase());
    return names.map((method) => `${method} ${route.path} ${handler}`);
  });
}

/** The route table's rows with a handler, in the same form and order as `registeredRoutes()`. */
export function tableRoutes(app: INestApplication): string[] {
  const routes = app
    .get(CorsPolicies)
    .routeReport()
    .routes.filter((r) => r.handler !== undefined)
    .map((r) => `${r.method} ${r.path} ${r.handler}`);
  return isFastify(app) ? routes.sort() : routes;
}
