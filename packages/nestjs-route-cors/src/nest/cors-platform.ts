/**
 * What an HTTP platform gives the CORS module: its router, as the route
 * table reads it (one shape for every platform), and what installs the hook,
 * reads a request's facts and ends a preflight. A third platform on Node's
 * HTTP server is one small file.
 */
import type { ServerResponse } from 'node:http';
import type { HttpServer, VersioningOptions } from '@nestjs/common';
import { AbstractHttpAdapter } from '@nestjs/core';
import { NO_OTHER_READINGS, type OtherPathReadings } from '../core/cors-decision.js';
import { CorsConfigurationError } from '../core/errors.js';
import type { RouterPathOptions } from '../core/path-index.js';
import { MAX_READ_PATH_LENGTH, otherPathReadings } from '../core/path-readings.js';
import type { NestRoute } from './nest-routes.js';
import type { NodeCorsRequest } from './node-request.js';

export type CorsHookFunction<R, S> = (request: R, response: S, next: (error?: Error) => void) => void;

/** A request carrying only what routing reads (path, headers, host name), for `CorsPolicies.explain()`. */
export interface DescribedRequest {
  /** The request target, e.g. `/api/items?x=1`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly hostname: string;
}

/**
 * A route's version filter: whether the router gives this request to the
 * route's handler. Declared as a method type, which TypeScript checks
 * bivariantly: the route table holds the filters of whichever platform runs,
 * and only ever calls them with that platform's requests.
 */
export type VersionFilter<R> = { serves(request: R): boolean }['serves'];

/** What the application added on the adapter ahead of Nest's routes, which the router tries first. */
export interface AddedBeforeNest {
  /** Routes (`app.get()`, `adapter.get()`, Swagger's pages), with the method each serves (`ALL` for every method). */
  readonly routes: ReadonlyArray<{ readonly method: string; readonly path: string }>;
  /** Where a handler is mounted that serves what it has and passes the rest on (a static file server), and what it is. */
  readonly mounts: ReadonlyArray<{ readonly path: string; readonly name: string }>;
}

/**
 * A route as the platform's router registered it, where the router picks a
 * request's route before the hook runs (Fastify tags each route it
 * registers with one): the route table maps each to its row, by identity.
 */
export interface RouterRegistration {
  /** Upper-case, or `ALL` for a route of several methods. */
  readonly method: string;
  /** As registered. */
  readonly path: string;
  /** The handler's name: Nest names a controller route's `Controller.method` (12.5 and later; '' before, and on Nest 11). */
  readonly handler: string;
  /** Whether the handler carries a controller method's metadata: Nest registered it. */
  readonly nest: boolean;
}

/** How a platform's router finds the route of a request. */
export interface CorsRouter<R> {
  /** The router's own path rules. */
  readonly matching: RouterPathOptions;
  /**
   * Whether the router tries routes in the order they were added (Express),
   * rather than the most specific first (Fastify's find-my-way), which decides
   * where a path rule stands among Nest's routes.
   */
  readonly triesInOrder: boolean;
  /** What the application added ahead of Nest's routes; read once Nest has registered them. */
  addedBeforeNest(): AddedBeforeNest;
  /** The path the router matches routes against, or undefined when it routes the request nowhere. */
  routingPath(request: R, url: string): string | undefined;
  /**
   * Another layer's reading of a request's path (`otherPathReadings`) in the
   * form `routingPath` gives, for the route index; undefined when the router
   * could not read it.
   */
  readingPath(path: string): string | undefined;
  /**
   * A route path in path-to-regexp syntax, which the route index matches
   * with, when the router writes it otherwise; undefined when it is already.
   * Throws a CorsConfigurationError for a path the index cannot read.
   */
  routePattern(path: string): string | undefined;
  /**
   * Gives the router a route for the preflights of `paths` (paths with a
   * policy and no OPTIONS handler), where it would otherwise take them down
   * its not-found path; called once, before the router starts.
   */
  routePreflights(paths: readonly string[]): void;
  /**
   * The route the router has already chosen for the request (Fastify routes
   * before the hook runs), as registered; undefined where it has not
   * (Express routes after the hook: the route index finds the route).
   */
  chosenRoute(request: R): RouterRegistration | undefined;
  /** Every route the router has registered, where it chooses before the hook (`chosenRoute`); none elsewhere. */
  registrations(): readonly RouterRegistration[];
  /**
   * The version filter of each route, in order, where the router picks the
   * handler by a header, media type or custom version (undefined elsewhere).
   */
  versionFilters(routes: ReadonlyArray<NestRoute>, versioning: VersioningOptions): Array<VersionFilter<R> | undefined>;
  /** A request carrying only `description`, as the platform's router and version filters read it. */
  describedRequest(description: DescribedRequest): R;
}

export interface CorsHttpPlatform<R, S> {
  /** As `HttpServer#getType()` names it. */
  readonly name: string;
  /** Installs `hook` ahead of the body parser, Nest middleware, guards and handlers, for every request. */
  install(hook: CorsHookFunction<R, S>): void;
  /** Makes another CORS layer on the platform fail, naming it (`refuseCorsCalls`): in every mode but report-only. */
  refuseSecondCorsLayer(): void;
  /** The request's CORS facts, and where the answer's headers go. */
  requestFacts(request: R, response: S): NodeCorsRequest<R, S>;
  /** Ends an allowed preflight: 204 with an explicit empty body (some Safari versions wait for one otherwise). */
  endPreflight(response: S): void;
  /** How its router finds the route of a request. */
  readonly router: CorsRouter<R>;
}

/** What an adapter's request-hook slot holds: `done` goes on (or fails); a promise it returns only reports a failure. */
export type RequestHook<R, S> = (request: R, response: S, done: (error?: Error) => void) => void | Promise<void>;

/**
 * An adapter with Nest's request-hook slot (Fastify's adapter; Express's from
 * Nest 12, a middleware its constructor adds first): one hook, run before
 * anything the application adds, at the cost of a call rather than a
 * middleware of its own (measured on Express: an empty middleware costs 5,390
 * instructions per request, `npm run bench:instructions`).
 */
export interface RequestHookSlot<R, S> {
  setOnRequestHook(hook: RequestHook<R, S>): void;
}

/** Whether the adapter runs a hook put in the slot: Nest's base adapter declares the slot and ignores what it is given. */
export function hasRequestHookSlot<R, S>(adapter: object): adapter is RequestHookSlot<R, S> {
  const slot: unknown = Reflect.get(adapter, 'setOnRequestHook');
  return typeof slot === 'function' && slot !== Reflect.get(AbstractHttpAdapter.prototype, 'setOnRequestHook');
}

/** `first`, then, unless it ended the request or failed, `then`, run as an adapter runs its slot's hook. */
function followedBy<R, S>(adapter: object, first: RequestHook<R, S>, then: RequestHook<R, S>): RequestHook<R, S> {
  return (request, response, done) =>
    void first(request, response, (error) => {
      if (error !== undefined) return done(error);
      // `done` once, whether the hook calls it or settles a promise; a throw is an error (as the adapters run their hook).
      let completed = false;
      const doneOnce = (failure?: Error): void => {
        if (completed) return;
        completed = true;
        done(failure);
      };
      const asError = (failure: unknown): Error => (failure instanceof Error ? failure : new Error(String(failure)));
      try {
        const result = then.call(adapter, request, response, doneOnce);
        if (result instanceof Promise)
          result.then(
            () => doneOnce(),
            (failure: unknown) => doneOnce(asError(failure)),
          );
      } catch (failure) {
        doneOnce(asError(failure));
      }
    });
}

/**
 * Puts `hook` in the adapter's request-hook slot. The slot holds one hook;
 * other users of it (the application, `@nestjs/observe`, which sets it in
 * `onModuleInit`) share it instead of replacing CORS: theirs runs right after
 * the CORS hook, whether it was set before or after. Without another user,
 * the slot holds the CORS hook alone (no extra call per request).
 */
export function installInRequestHookSlot<R, S>(adapter: RequestHookSlot<R, S>, hook: RequestHook<R, S>): void {
  const setSlot = adapter.setOnRequestHook.bind(adapter);
  const share = (other: RequestHook<R, S> | undefined): void =>
    setSlot(other === undefined ? hook : followedBy(adapter, hook, other));
  // Set on the adapter before this module started, e.g. `adapter.setOnRequestHook()` before `NestFactory.create()`.
  const before: unknown = Reflect.get(adapter, 'onRequestHook');
  share(typeof before === 'function' ? (before as RequestHook<R, S>) : undefined);
  Object.defineProperty(adapter, 'setOnRequestHook', { configurable: true, value: share });
}

/** Where routes are tried by their path, not their order, or nothing was added first. */
export const NOTHING_ADDED_BEFORE_NEST: AddedBeforeNest = Object.freeze({ routes: [], mounts: [] });

/**
 * The other readings of a request's path (`otherPathReadings`) that lead
 * elsewhere than the router's own (`routed`), in the router's form; `'unread'`
 * for a path too long to read. Asked only where path rules make them matter
 * (what serves a rule may normalise the path): without rules Nest's own
 * router serves every route, by its own reading.
 */
export function otherReadings<R>(router: CorsRouter<R>, url: string, routed: string | undefined): OtherPathReadings {
  if (routed !== undefined && routed.length > MAX_READ_PATH_LENGTH) {
    return 'unread';
  }
  const readings = otherPathReadings(url);
  if (readings.length === 0) {
    return NO_OTHER_READINGS;
  }
  const others: string[] = [];
  for (const reading of readings) {
    const path = router.readingPath(reading);
    if (path !== undefined && path !== routed && !others.includes(path)) others.push(path);
  }
  return others;
}

/**
 * Why another CORS layer beside the module stops start-up: it would send
 * `Access-Control-Allow-Origin` on answers the policies refuse (its own
 * answer to every origin), and answer preflights they refuse.
 */
export function secondCorsLayer(call: string): CorsConfigurationError {
  return new CorsConfigurationError([
    `${call} adds a second CORS layer beside CorsModule: it would send Access-Control-Allow-Origin on answers the @Cors() policies refuse; remove it and declare the policies with @Cors()`,
  ]);
}

/** The middleware expressjs/cors returns, by the name it gives it (cors 2.8, `lib/index.js`). */
function isCorsPackageMiddleware(handler: unknown): boolean {
  return typeof handler === 'function' && handler.name === 'corsMiddleware';
}

/**
 * `app.enableCors()` (and `NestFactory.create(..., { cors })`, which calls it
 * in `init()`) and expressjs/cors added with `app.use()` (Express's, or
 * Fastify's through middie) fail at the call, naming it. A middleware added
 * to the framework's instance directly, or one of another name, cannot be
 * told apart (docs/limits.md).
 */
export function refuseCorsCalls(adapter: HttpServer): void {
  const use: unknown = Reflect.get(adapter, 'use');
  Object.defineProperty(adapter, 'enableCors', {
    configurable: true,
    value: () => {
      throw secondCorsLayer('app.enableCors() (or the cors option of NestFactory.create())');
    },
  });
  Object.defineProperty(adapter, 'use', {
    configurable: true,
    value: (...args: unknown[]): unknown => {
      // app.use() takes handlers in arrays, nested at any depth, as Express and middie flatten them.
      if (args.flat(Infinity).some(isCorsPackageMiddleware))
        throw secondCorsLayer('app.use(cors()) (the cors package)');
      return Reflect.apply(use as HttpServer['use'], adapter, args);
    },
  });
}

/** What `HttpServer.registerSecurityHook()` is given (Nest 12.1): sets the security headers, then runs the CSRF check. */
type SecurityHook = (request: unknown, response: ServerResponse) => unknown;

/**
 * The application's security headers (`app.useSecurityHeaders()`), for the
 * answers the CORS hook ends itself: Nest sets them in a hook of its own
 * that runs after the CORS hook, so a preflight or a refusal never reaches
 * it. Captured as Nest registers its hook (after `NestFactory.create()`,
 * when the application turns the feature on); none on Nest 11, which has no
 * such hook.
 */
export class ApplicationSecurityHeaders {
  private hook: SecurityHook | undefined;

  constructor(adapter: HttpServer) {
    const register: unknown = Reflect.get(adapter, 'registerSecurityHook');
    if (typeof register !== 'function') return;
    Object.defineProperty(adapter, 'registerSecurityHook', {
      configurable: true,
      value: (hook: SecurityHook): unknown => {
        this.hook = hook;
        return Reflect.apply(register, adapter, [hook]);
      },
    });
  }

  /**
   * Sets them on an answer the CORS hook ends. The hook's CSRF verdict is
   * not read: the answer is a preflight's or a refusal already.
   */
  setOn(request: unknown, response: ServerResponse): void {
    try {
      this.hook?.(request, response);
    } catch {
      // A CSRF `exclude` predicate that throws: the headers are set before it runs, and the answer is ours either way.
    }
  }
}
