import type { IncomingMessage } from 'node:http';
import type { CorsRequestFacts } from '../core/index.js';

/** The facts of a handshake request, read from Node's own request (no HTTP framework sees handshakes). */
export class HandshakeFacts implements CorsRequestFacts {
  readonly method: string;
  readonly origin: string | undefined;
  readonly requestMethod: string | undefined;
  readonly requestHeaders: string | undefined;

  constructor(readonly request: IncomingMessage) {
    const headers = request.headers;
    // An upgrade is a GET (RFC 6455 §4.1); polling sends GET, POST and preflights.
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

  /** The request's path without its query, for logs and `onReject`. */
  get path(): string {
    const url = this.request.url ?? '/';
    const query = url.indexOf('?');
    return query === -1 ? url : url.slice(0, query);
  }
}
