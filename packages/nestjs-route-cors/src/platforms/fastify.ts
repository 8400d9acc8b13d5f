/**
 * Fastify: the CORS hook runs in the adapter's first `onRequest` hook. Root
 * hooks apply to every route of the root context (where Nest puts its routes
 * and its not-found handler), so it runs after routing, before Nest
 * middleware (@fastify/middie), content-type parsing, guards and handlers,
 * and for unmatched paths too. How Fastify's router reads paths and picks
 * routes is `fastify-router.ts`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type CorsHttpPlatform, refuseCorsCalls, secondCorsLayer } from '../nest/cors-platform.js';
import { type CorsHeaderTarget, NodeCorsRequest, type PlatformRequestReader } from '../nest/node-request.js';
import { type FastifyHttpAdapter, FastifyRouter } from './fastify-router.js';

/**
 * A preflight's headers go through the reply: headers on the reply, and none
 * on Node's response, let Fastify write the answer's head in one go
 * (measured: 536,211 → 523,624 instructions per preflight).
 */
class ReplyHeaders implements CorsHeaderTarget {
  constructor(private readonly reply: FastifyReply) {}

  getHeader(name: string): number | string | string[] | undefined {
    return this.reply.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.reply.header(name, value);
  }
}

/** @fastify/cors, as `register()` receives it: the plugin or its module, named by fastify-plugin's metadata. */
function isFastifyCors(plugin: unknown): boolean {
  const candidate: unknown =
    typeof plugin === 'object' && plugin !== null && 'default' in plugin ? plugin.default : plugin;
  if (typeof candidate !== 'function') return false;
  const meta: unknown = Reflect.get(candidate, Symbol.for('plugin-meta'));
  return typeof meta === 'object' && meta !== null && 'name' in meta && meta.name === '@fastify/cors';
}

/** What the adapter's request-hook slot holds. */
type RequestHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  done: (error?: Error) => void,
) => void | Promise<void>;

/**
 * Node's response, for a request that goes on, when an earlier `onRequest`
 * hook gave the reply a header of its own (`reply.header('Vary', ...)`):
 * Fastify writes the reply's headers over Node's, so a header the reply
 * holds is written there too, or the appended `Vary` would lose Origin.
 */
class ResponseUnderReplyHeaders implements CorsHeaderTarget {
  constructor(private readonly reply: FastifyReply) {}

  getHeader(name: string): number | string | string[] | undefined {
    return this.reply.getHeader(name);
  }

  setHeader(name: string, value: string): void {
    this.reply.raw.setHeader(name, value);
    // The reply's own value, if it holds one, is what Fastify sends.
    if (this.reply.getHeader(name) !== value) this.reply.header(name, value);
  }
}

/** Whether the reply holds a `Vary` of its own, which Fastify would send over Node's. */
function replyHoldsVary(reply: FastifyReply): boolean {
  return reply.getHeader('vary') !== reply.raw.getHeader('vary');
}

const FASTIFY_READER: PlatformRequestReader<FastifyRequest, FastifyReply> = {
  // Follows Fastify's `trustProxy`.
  protocol: (request) => request.protocol,
  hostname: (request) => request.hostname,
  // Fastify gives every request an id (`genReqId`).
  requestId: (request) => request.id,
  // A request that goes on gets its headers on Node's response, which Fastify merges into its replies (errors and
  // 404s included) and a middleware's own answer carries; a preflight is answered through the reply.
  headerTarget: (reply, preflight) =>
    preflight ? new ReplyHeaders(reply) : replyHoldsVary(reply) ? new ResponseUnderReplyHeaders(reply) : reply.raw,
  serverResponse: (reply) => reply.raw,
  routesAfterHook: false,
};

export class FastifyPlatform implements CorsHttpPlatform<FastifyRequest, FastifyReply> {
  readonly name = 'fastify';
  readonly router: FastifyRouter;

  constructor(private readonly adapter: FastifyHttpAdapter) {
    this.router = new FastifyRouter(adapter);
  }

  /**
   * `NestFactory.create()` registers @fastify/middie (Nest middleware) before
   * any module exists, so a hook a module adds runs after every middleware.
   * The adapter's request-hook slot runs first of all its hooks, before
   * middie: the hook goes there. The slot holds one hook; other users of it
   * (the application, `@nestjs/observe`, which sets it in `onModuleInit`)
   * share it instead of replacing CORS: theirs runs right after the CORS hook,
   * whether it was set before or after. Without another user, the slot holds
   * the CORS hook alone (no extra call per request).
   */
  install(hook: RequestHook): void {
    const setSlot = this.adapter.setOnRequestHook.bind(this.adapter);
    const share = (other: RequestHook | undefined): void =>
      setSlot(other === undefined ? hook : this.followedBy(hook, other));
    // Set on the adapter before this module started, e.g. `adapter.setOnRequestHook()` before `NestFactory.create()`.
    const before: unknown = Reflect.get(this.adapter, 'onRequestHook');
    share(typeof before === 'function' ? (before as RequestHook) : undefined);
    Object.defineProperty(this.adapter, 'setOnRequestHook', { configurable: true, value: share });
  }

  /**
   * Besides the calls every platform refuses (`refuseCorsCalls`),
   * @fastify/cors registered on the instance fails at the call, naming it;
   * one registered before the module started fails the instance's start
   * (`ready()`).
   */
  refuseSecondCorsLayer(): void {
    refuseCorsCalls(this.adapter);
    const instance = this.adapter.getInstance<FastifyInstance>();
    const register: unknown = instance.register;
    Object.defineProperty(instance, 'register', {
      configurable: true,
      value: function (this: FastifyInstance, ...args: unknown[]): unknown {
        if (isFastifyCors(args[0])) throw secondCorsLayer('register(@fastify/cors)');
        return Reflect.apply(register as (...registered: unknown[]) => unknown, this, args);
      },
    });
    instance.addHook('onReady', function (this: FastifyInstance, done) {
      done(
        this.hasPlugin('@fastify/cors')
          ? secondCorsLayer('@fastify/cors, registered on the Fastify instance,')
          : undefined,
      );
    });
  }

  /** `first`, then, unless it ended the request or failed, `then`, run as the adapter runs its slot's hook. */
  private followedBy(first: RequestHook, then: RequestHook): RequestHook {
    const adapter = this.adapter;
    return (request, reply, done) =>
      first(request, reply, (error) => {
        if (error !== undefined) return done(error);
        // `done` once, whether the hook calls it or settles a promise; a throw is an error (the adapter's runLifecycleHook).
        let completed = false;
        const doneOnce = (failure?: Error): void => {
          if (completed) return;
          completed = true;
          done(failure);
        };
        const asError = (failure: unknown): Error => (failure instanceof Error ? failure : new Error(String(failure)));
        try {
          const result = then.call(adapter, request, reply, doneOnce);
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

  requestFacts(request: FastifyRequest, reply: FastifyReply): NodeCorsRequest<FastifyRequest, FastifyReply> {
    return new NodeCorsRequest(request.raw, request, reply, FASTIFY_READER);
  }

  endPreflight(reply: FastifyReply): void {
    reply.code(204).header('Content-Length', '0').send();
  }
}
