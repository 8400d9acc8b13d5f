/**
 * Fastify: the CORS hook runs in the adapter's first `onRequest` hook. Root
 * hooks apply to every route of the root context (where Nest puts its routes
 * and its not-found handler), so it runs after routing, before Nest
 * middleware (@fastify/middie), content-type parsing, guards and handlers,
 * and for unmatched paths too. How Fastify's router reads paths and picks
 * routes is `fastify-router.ts`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  type CorsHttpPlatform,
  installInRequestHookSlot,
  refuseCorsCalls,
  type RequestHook,
  secondCorsLayer,
} from '../nest/cors-platform.js';
import type { CorsHeaderTarget } from '../nest/node-headers.js';
import { NodeCorsRequest, type PlatformRequestReader } from '../nest/node-request.js';
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
  // A policy's Cross-Origin-Resource-Policy: the response gets a writeHead of its own (keepDecision).
  checksHeadAsWritten: false,
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
   * middie: the hook goes there, shared with the slot's other users.
   */
  install(hook: RequestHook<FastifyRequest, FastifyReply>): void {
    installInRequestHookSlot(this.adapter, hook);
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

  requestFacts(request: FastifyRequest, reply: FastifyReply): NodeCorsRequest<FastifyRequest, FastifyReply> {
    return new NodeCorsRequest(request.raw, request, reply, FASTIFY_READER);
  }

  endPreflight(reply: FastifyReply): void {
    reply.code(204).header('Content-Length', '0').send();
  }
}
