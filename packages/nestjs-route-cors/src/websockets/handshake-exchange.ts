import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsExchange } from '../nest/cors-platform.interface.js';

/**
 * A gateway handshake as the responder sees it, read from Node's own request
 * (no HTTP framework sees handshakes). An upgrade is a GET (RFC 6455 §4.1),
 * decided as the simple request it is; Socket.IO's polling transport sends
 * GET, POST and preflights. Without Origin, a handshake comes from a program,
 * not a browser (browsers send Origin on every WebSocket handshake), and
 * passes as on HTTP routes: a program can claim any Origin anyway.
 */
export class HandshakeExchange implements CorsExchange<IncomingMessage> {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;

  /** `response`: the polling response, or for an upgrade one that is never sent, holding the refusal's headers. */
  constructor(
    readonly request: IncomingMessage,
    readonly response: ServerResponse,
  ) {
    const headers = request.headers;
    this.method = request.method ?? 'GET';
    this.origin = headers.origin;
    this.requestMethod = headers['access-control-request-method'];
    this.requestHeaders = headers['access-control-request-headers'];
  }

  /**
   * The server's own origin as this connection reached it. Forwarded headers
   * are not read: behind a TLS-terminating proxy a same-origin page does not
   * match, and is refused unless the policy lists it (deny by default).
   */
  get selfOrigin(): string | undefined {
    const host = this.request.headers.host;
    const encrypted = 'encrypted' in this.request.socket && this.request.socket.encrypted === true;
    return host === undefined ? undefined : `${encrypted ? 'https' : 'http'}://${host}`;
  }

  get hostname(): string {
    return this.request.headers.host ?? '';
  }

  /** The request's path without its query, for logs and `onReject`. */
  get path(): string {
    const url = this.request.url ?? '/';
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }

  /** No HTTP framework gave a handshake an id: the client's `X-Request-Id`, if any, is not trusted into logs. */
  get requestId(): undefined {
    return undefined;
  }
}
