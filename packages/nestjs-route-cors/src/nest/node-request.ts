/**
 * What every platform on Node's HTTP server shares: the request's CORS facts
 * read from Node's own `IncomingMessage` (Express's and Fastify's requests
 * wrap it, gateway handshakes are one), and the empty 204 that ends an
 * allowed preflight.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsDecision, CorsRequest } from '../core/cors-decision.js';
import { type CorsHeaderTarget, writeHeader } from './node-headers.js';
import { readWrittenHead, type WrittenHeadReader } from './report-only.js';

/**
 * What only the platform knows about one of its requests, as stateless
 * functions (one object per platform, none per request).
 */
export interface PlatformRequestReader<R, S> {
  /** `http` or `https` as the platform's trust-proxy settings see the request. */
  protocol(request: R): string;
  /** What Nest's host filter reads (`getRequestHostname`). */
  hostname(request: R): string;
  /** The request's id for logs, if the platform or an earlier middleware gave it one. */
  requestId(request: R, response: S): string | undefined;
  /** Where the CORS headers of the answer go. */
  headerTarget(response: S, preflight: boolean): CorsHeaderTarget;
  /** Node's response behind the platform's. */
  serverResponse(response: S): ServerResponse;
  /**
   * Whether the router picks the handler after the CORS hook (Express), so
   * that a middleware changing the method or the path in between would have
   * another handler answer; false where it has picked it already (Fastify).
   */
  readonly routesAfterHook: boolean;
  /** Whether the platform's responses apply a kept decision as their head is written (`writeHeadAsDecided`). */
  readonly checksHeadAsWritten: boolean;
}

/** The path of a request target, without its query. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * One request as the CORS hook, the decision and the refusal report see it.
 * A class, so that the lazy getters live on the prototype: an object literal
 * with a getter costs V8 a new accessor pair per request (measured ~20×
 * slower). What only some decisions need (the requested headers, the
 * request's own origin) is read only when asked for.
 */
export class NodeCorsRequest<R, S> implements CorsRequest<R> {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly response: CorsHeaderTarget;
  /** The request target as the client sent it, when the hook decided: for the router, for logs, and to tell a later rewrite. */
  readonly url: string;
  /** Its decision, once kept for after the hook (`keepDecision`). */
  decision: CorsDecision | undefined = undefined;
  /** In report-only mode, what reads the answer's head as it is written (`whenHeadWritten`). */
  headReader: WrittenHeadReader | undefined = undefined;

  constructor(
    readonly raw: IncomingMessage,
    readonly request: R,
    private readonly reply: S,
    private readonly reader: PlatformRequestReader<R, S>,
  ) {
    const headers = raw.headers;
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
    this.origin = headers.origin;
    // Only an OPTIONS request can be a preflight: the header is not looked up on the others.
    this.requestMethod = this.method === 'OPTIONS' ? headers['access-control-request-method'] : undefined;
    this.response = reader.headerTarget(reply, this.requestMethod !== undefined);
  }

  /** Read by preflight decisions only. */
  get requestHeaders(): string | undefined {
    return this.raw.headers['access-control-request-headers'];
  }

  /** Read for CSRF trust under a policy without credentials only. */
  get carriesCookies(): boolean {
    return this.raw.headers.cookie !== undefined;
  }

  /** Only refusals need it: a same-origin request is never refused. */
  get selfOrigin(): string | undefined {
    const host = this.raw.headers.host;
    return host === undefined ? undefined : `${this.reader.protocol(this.request)}://${host}`;
  }

  /** Read for host-bound routes only. */
  get hostname(): string {
    return this.reader.hostname(this.request);
  }

  /** The path as the client sent it, for logs and `onReject`. */
  get path(): string {
    return pathOf(this.url);
  }

  get requestId(): string | undefined {
    return this.reader.requestId(this.request, this.reply);
  }

  /** Node's response, for what must be set as the head is written. */
  get serverResponse(): ServerResponse {
    return this.reader.serverResponse(this.reply);
  }

  get routesAfterHook(): boolean {
    return this.reader.routesAfterHook;
  }

  get checksHeadAsWritten(): boolean {
    return this.reader.checksHeadAsWritten;
  }
}

/** A path without its query and one trailing slash: how a mounted router hands it on (`/mounted` is `/` under its mount). */
function comparablePath(target: string): string {
  const path = pathOf(target);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * Whether a request still has the method and path the CORS hook decided it
 * by. A method-override or rewrite middleware after the hook changes them,
 * and a router routing after it (Express) then runs another handler, which
 * the decision does not speak for. Within a mounted router Express strips
 * the mount from `url` into `baseUrl`: the two together are the path.
 */
export function stillAsDecided(
  raw: IncomingMessage & { readonly baseUrl?: string },
  decided: { readonly method: string; readonly url: string },
): boolean {
  if (raw.method !== decided.method) return false;
  // Most answers: the target as decided, outside any mounted router. No string is built.
  if (raw.url === decided.url && !raw.baseUrl) return true;
  return comparablePath(`${raw.baseUrl ?? ''}${raw.url ?? '/'}`) === comparablePath(decided.url);
}

/** A request the hook let go on, with the decision that still matters after it. */
export interface DecidedRequest {
  readonly raw: IncomingMessage & { readonly baseUrl?: string };
  readonly method: string;
  readonly url: string;
  readonly routesAfterHook: boolean;
  readonly decision: CorsDecision | undefined;
  readonly headReader: WrittenHeadReader | undefined;
}

const DECIDED_REQUESTS = Symbol.for('nestjs-route-cors.decided-requests');

/**
 * The requests the hook let go on whose decision matters after it: for CSRF
 * trust (`allowedByCors`), and as the answer's head is written. Kept beside
 * Node's request rather than on it: a property added to every request and
 * response (a mark on the request, a `writeHead` of its own on the response)
 * cost an allowed POST on Express 63,485 instructions, while the whole
 * decision costs 1,771 (`npm run bench:instructions`, 2026-12-07). One table
 * per process, under a global symbol, which every loaded copy of the package
 * shares (a CommonJS and an ES module copy can both be loaded); weak, so an
 * entry goes with its request.
 */
export function decidedRequests(): WeakMap<IncomingMessage, DecidedRequest> {
  const registry = globalThis as { [DECIDED_REQUESTS]?: WeakMap<IncomingMessage, DecidedRequest> };
  return (registry[DECIDED_REQUESTS] ??= new WeakMap());
}

const decided = decidedRequests();

/**
 * As the head is written: the policy's `Cross-Origin-Resource-Policy` set,
 * over what any later layer set; or, where the router routes after the hook
 * and the method or path changed since the decision, the decision's headers
 * taken off (a handler passing the header to `writeHead()` itself still wins).
 */
function applyAsHeadIsWritten(
  response: ServerResponse,
  request: DecidedRequest,
  decision: CorsDecision,
  args: Parameters<ServerResponse['writeHead']>,
): void {
  if (request.routesAfterHook && decision.headers.length > 0 && !stillAsDecided(request.raw, request)) {
    const last: unknown = args[args.length - 1];
    const headers =
      typeof last === 'object' && last !== null && !Array.isArray(last) ? (last as Record<string, unknown>) : undefined;
    for (const [name] of decision.headers) {
      response.removeHeader(name);
      if (headers !== undefined) delete headers[name.toLowerCase()];
    }
  } else if (decision.resourcePolicy !== undefined) {
    writeHeader(response, 'Cross-Origin-Resource-Policy', decision.resourcePolicy);
  }
}

/**
 * `writeHead` that applies its request's decision first, if the hook kept
 * one, or in report-only mode hands the head to its reader, once; then
 * `original`.
 */
export function writeHeadAsDecided(original: ServerResponse['writeHead']): ServerResponse['writeHead'] {
  return function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>): ServerResponse {
    const request = decided.get(this.req);
    if (request?.decision !== undefined) {
      applyAsHeadIsWritten(this, request, request.decision, args);
    } else if (request?.headReader !== undefined) {
      // A head is written once, but an answer may call `writeHead()` again (and fail there): read it once.
      decided.delete(this.req);
      readWrittenHead(this, args, request.headReader);
    }
    return Reflect.apply<ServerResponse, Parameters<ServerResponse['writeHead']>, ServerResponse>(original, this, args);
  } as ServerResponse['writeHead'];
}

/** Where the platform's responses do not check as their head is written (`checksHeadAsWritten`), this one does. */
function checkAsHeadIsWritten(request: NodeCorsRequest<unknown, unknown>): void {
  if (request.checksHeadAsWritten) return;
  const response = request.serverResponse;
  response.writeHead = writeHeadAsDecided(Reflect.get(response, 'writeHead'));
}

/**
 * Keeps a request's decision where it matters after the hook: the CSRF mark
 * of an exempt request; a `Cross-Origin-Resource-Policy` to set as the head
 * is written; or, where the router routes after the hook (a middleware may
 * still change the method or path), the headers to take off then. Where the
 * platform's responses do not already check (`checksHeadAsWritten`), the
 * response gets a `writeHead` of its own (`checkAsHeadIsWritten`).
 */
export function keepDecision(request: NodeCorsRequest<unknown, unknown>, decision: CorsDecision): void {
  const checkedAtHead =
    decision.resourcePolicy !== undefined || (request.routesAfterHook && decision.headers.length > 0);
  if (!checkedAtHead && !decision.csrfExempt) return;
  request.decision = decision;
  decided.set(request.raw, request);
  if (checkedAtHead) checkAsHeadIsWritten(request);
}

/** Report-only: calls `reader` with the answer's headers when its head is written, once; nothing is applied to it. */
export function whenHeadWritten(request: NodeCorsRequest<unknown, unknown>, reader: WrittenHeadReader): void {
  request.headReader = reader;
  decided.set(request.raw, request);
  checkAsHeadIsWritten(request);
}

/** Ends an allowed preflight on Node's response: 204 with an explicit empty body (some Safari versions wait for one otherwise). */
export function endPreflightResponse(response: ServerResponse): void {
  response.statusCode = 204;
  writeHeader(response, 'Content-Length', '0');
  response.end();
}
