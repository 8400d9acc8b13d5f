/**
 * What every platform on Node's HTTP server shares: the request's CORS facts
 * read from Node's own `IncomingMessage` (Express's and Fastify's requests
 * wrap it, gateway handshakes are one), and the empty 204 that ends an
 * allowed preflight.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CorsRequest } from '../core/index.js';

/** Where an answer's headers go: Node's `ServerResponse` has this shape, and so can a platform's reply. */
export interface CorsHeaderTarget {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: string): unknown;
}

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

  constructor(
    readonly raw: IncomingMessage,
    readonly request: R,
    private readonly reply: S,
    private readonly reader: PlatformRequestReader<R, S>,
  ) {
    const headers = raw.headers;
    this.method = raw.method ?? 'GET';
    this.origin = headers.origin;
    // Only an OPTIONS request can be a preflight: the header is not looked up on the others.
    this.requestMethod = this.method === 'OPTIONS' ? headers['access-control-request-method'] : undefined;
    this.response = reader.headerTarget(reply, this.requestMethod !== undefined);
  }

  /** Read by preflight decisions only. */
  get requestHeaders(): string | undefined {
    return this.raw.headers['access-control-request-headers'];
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

  /** The request target as the client sent it, for the router and for logs. */
  get url(): string {
    return this.raw.url ?? '/';
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
}

/**
 * Sets a header as the head is written, over what any later layer set: the
 * CORS hook runs first, before e.g. `useSecurityHeaders()`, whose values it
 * must override on the routes that say so. A handler that passes the header
 * to `writeHead()` itself still wins.
 */
export function setHeaderWhenWritten(response: ServerResponse, name: string, value: string): void {
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, statusCode: number, ...rest: Array<string | OutgoingHttpHeaders | undefined>): ServerResponse {
    this.setHeader(name, value);
    return Reflect.apply(writeHead, this, [statusCode, ...rest]) as ServerResponse;
  } as ServerResponse['writeHead'];
}

/** Ends an allowed preflight on Node's response: 204 with an explicit empty body (some Safari versions wait for one otherwise). */
export function endPreflightResponse(response: ServerResponse): void {
  response.statusCode = 204;
  response.setHeader('Content-Length', '0');
  response.end();
}
