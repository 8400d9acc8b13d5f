/**
 * Express: the CORS hook runs in the adapter's request-hook slot (a
 * middleware the adapter adds first) as soon as the adapter exists, so it
 * runs before the body parser, Nest middleware, guards and the router
 * itself; the route index finds the route the router will choose.
 */
import { type HttpServer, type VersioningOptions, VERSION_NEUTRAL } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { Request, Response } from 'express';
import parseurl from 'parseurl';
import type { RouterPathOptions } from '../core/path-index.js';
import {
  type AddedBeforeNest,
  type CorsHttpPlatform,
  type CorsRouter,
  type DescribedRequest,
  hasRequestHookSlot,
  installInRequestHookSlot,
  refuseCorsCalls,
  type RequestHook,
  type RouterRegistration,
  type VersionFilter,
} from '../nest/cors-platform.js';
import type { NestRoute } from '../nest/nest-routes.js';
import { ServerResponse } from 'node:http';
import { CorsConfigurationError } from '../core/errors.js';
import {
  endPreflightResponse,
  NodeCorsRequest,
  type PlatformRequestReader,
  writeHeadAsDecided,
} from '../nest/node-request.js';

const NO_REGISTRATIONS: readonly RouterRegistration[] = Object.freeze([]);

/** Express's defaults, for an adapter that does not tell its matching settings. */
const EXPRESS_MATCHING: RouterPathOptions = { caseSensitive: false, ignoreTrailingSlash: true };

/**
 * One entry of Express 5's router stack (router 2.x's Layer): a route added
 * with `app.get()` and the like, or a handler mounted with `app.use()`.
 */
interface RouterLayer {
  readonly name?: string;
  /** The path the layer was added with (router 2.x). */
  readonly rawPath?: string;
  readonly route?: {
    readonly path: string;
    readonly methods: Readonly<Record<string, boolean>>;
    readonly stack: ReadonlyArray<{ readonly handle: unknown }>;
  };
}

/** A handler Nest registered for a controller method: Nest copies the method's metadata onto it (both majors). */
function isNestRoute(layer: RouterLayer): boolean {
  return (
    layer.route?.stack.some(
      ({ handle }) => typeof handle === 'function' && Reflect.getMetadata(PATH_METADATA, handle) !== undefined,
    ) === true
  );
}

/** `express.static()`'s handler, by the name serve-static gives it: it serves the files it has and passes the rest on. */
const SERVING_MOUNTS = new Set(['serveStatic']);

/** More methods than any route lists by hand: `app.all()` (router 2.x registers each of Node's methods). */
const ALL_METHODS_THRESHOLD = 20;

/** Every method a route serves; `ALL` for `app.all()`. */
function routeMethods(methods: Readonly<Record<string, boolean>>): string[] {
  const names = Object.keys(methods).filter((name) => methods[name] === true);
  return names.includes('_all') || names.length >= ALL_METHODS_THRESHOLD
    ? ['ALL']
    : names.map((name) => name.toUpperCase());
}

const EXPRESS_READER: PlatformRequestReader<Request, Response> = {
  // `req.protocol` runs Express's trust-proxy logic.
  protocol: (request) => request.protocol,
  hostname: (request) => request.hostname ?? '',
  // Express has no request id of its own: the one an earlier middleware sent back, if any.
  requestId: (_request, response) => {
    const id = response.getHeader('X-Request-Id');
    return typeof id === 'string' ? id : undefined;
  },
  headerTarget: (response) => response,
  serverResponse: (response) => response,
  // Express routes after the hook: a later middleware may change which handler answers.
  routesAfterHook: true,
  // Express's response prototype checks the kept decision (checkHeadsAsWritten).
  checksHeadAsWritten: true,
};

/**
 * Marks the prototype as checked, per process. Versioned with what the check
 * does: a copy of the package whose check did less (before report-only read
 * the head there) must not stand for this one; both checks then run, and
 * applying a decision twice writes the same headers.
 */
const CHECKED = Symbol.for('nestjs-route-cors.express-head-checked/2');

/**
 * Gives Express's responses, once per process, a `writeHead` that applies
 * the decision the hook kept for their request: on the response prototype
 * that every Express application and mounted application of this copy of
 * Express inherits (their own `response` objects are made from it), so that
 * no response gets a property of its own per request.
 */
function checkHeadsAsWritten(app: object): void {
  const appResponse: unknown = Reflect.get(app, 'response');
  const shared: unknown = typeof appResponse === 'object' && appResponse !== null && Object.getPrototypeOf(appResponse);
  if (typeof shared !== 'object' || shared === null || !(shared instanceof ServerResponse)) {
    throw new CorsConfigurationError([
      'the Express instance has no response prototype (app.response) to check CORS decisions on; nestjs-route-cors needs Express 4 or 5',
    ]);
  }
  if (Reflect.get(shared, CHECKED) === true) return;
  const original = Reflect.get(shared, 'writeHead') as ServerResponse['writeHead'];
  Object.defineProperty(shared, 'writeHead', {
    configurable: true,
    writable: true,
    value: writeHeadAsDecided(original),
  });
  Object.defineProperty(shared, CHECKED, { value: true });
}

export class ExpressPlatform implements CorsHttpPlatform<Request, Response> {
  readonly name = 'express';
  readonly router: CorsRouter<Request>;

  /**
   * Express's router matches the path as sent (its case and trailing-slash
   * settings aside), tries routes in the order they were added, and routes a
   * request after the hook: the route index finds the route it will choose.
   */
  constructor(private readonly adapter: HttpServer) {
    this.router = {
      matching: adapter.getRouteMatchingOptions?.() ?? EXPRESS_MATCHING,
      triesInOrder: true,
      addedBeforeNest: () => this.addedBeforeNest(),
      // parseurl caches its result on the request, where Express's router finds it again.
      routingPath: (request) => parseurl(request)?.pathname ?? undefined,
      readingPath: (path) => path,
      // Nest's route paths are Express's own syntax, path-to-regexp's.
      routePattern: () => undefined,
      // Express gives an OPTIONS request to the hook whatever routes the path has.
      routePreflights: () => undefined,
      chosenRoute: () => undefined,
      registrations: () => NO_REGISTRATIONS,
      versionFilters: (routes, versioning) => this.versionFilters(routes, versioning),
      describedRequest: ({ url, headers, hostname }: DescribedRequest) =>
        ({ url, headers, hostname }) as Partial<Request> as Request,
    };
  }

  /**
   * Express tries its router stack in order, and Nest adds its routes in
   * `init()`: what the application added before then (in `main.ts`, or on
   * the Express instance it passed in) comes first. Read from the stack
   * (`app.router`, public in Express 5; its `stack` is router 2.x's).
   */
  private addedBeforeNest(): AddedBeforeNest {
    // The router is a function with a `stack` of layers.
    const router: unknown = Reflect.get(this.adapter.getInstance() as object, 'router');
    const stack: unknown = typeof router === 'function' ? Reflect.get(router, 'stack') : undefined;
    const layers = Array.isArray(stack) ? (stack as RouterLayer[]) : [];
    const firstNestRoute = layers.findIndex(isNestRoute);
    const before = firstNestRoute === -1 ? [] : layers.slice(0, firstNestRoute);
    return {
      routes: before.flatMap(({ route }) =>
        route === undefined ? [] : routeMethods(route.methods).map((method) => ({ method, path: route.path })),
      ),
      mounts: before
        .filter((layer) => layer.route === undefined && SERVING_MOUNTS.has(layer.name ?? ''))
        .map((layer) => ({ path: layer.rawPath ?? '/', name: 'express.static' })),
    };
  }

  /**
   * In the adapter's request-hook slot where it has one (a middleware
   * Express's adapter adds first, in its constructor, on Nest 11 and 12),
   * else as a middleware of its own: either way before the body parser,
   * Nest middleware and the router.
   */
  install(hook: RequestHook<Request, Response>): void {
    checkHeadsAsWritten(this.adapter.getInstance() as object);
    if (hasRequestHookSlot<Request, Response>(this.adapter)) {
      installInRequestHookSlot(this.adapter, hook);
    } else {
      this.adapter.use(hook);
    }
  }

  refuseSecondCorsLayer(): void {
    refuseCorsCalls(this.adapter);
  }

  requestFacts(request: Request, response: Response): NodeCorsRequest<Request, Response> {
    return new NodeCorsRequest(request, request, response, EXPRESS_READER);
  }

  endPreflight(response: Response): void {
    endPreflightResponse(response);
  }

  /**
   * The adapter's own filter (what RouterExplorer#applyVersionFilter
   * installs) as a predicate: it calls the handler when the request's version
   * selects the route and `next` otherwise. A neutral route serves every
   * request.
   */
  private versionFilters(
    routes: ReadonlyArray<NestRoute>,
    versioning: VersioningOptions,
  ): Array<VersionFilter<Request> | undefined> {
    return routes.map(({ pickedVersion }) => {
      if (pickedVersion === undefined || pickedVersion === VERSION_NEUTRAL) return undefined;
      const filter = this.adapter.applyVersionFilter(() => true, pickedVersion, versioning);
      return (request) => (filter(request, undefined, () => false) as unknown) === true;
    });
  }
}
