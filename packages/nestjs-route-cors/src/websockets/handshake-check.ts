import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CorsDecision } from '../core/cors-decision.js';
import { CORS_REFUSED_MESSAGE } from '../nest/cors.constants.js';
import type { PlatformRequestReader } from '../nest/node-request.js';

/**
 * Decides a handshake request with the gateway's policy, writes the answer's
 * CORS headers on `response` where it is `sent` (a polling answer) and
 * reports a refusal: what the Socket.IO and ws parts ask before they let a
 * request reach the gateway's server. For an upgrade, `response` is never
 * sent; a refusal's 403 copies its headers.
 */
export type HandshakeCheck = (
  request: IncomingMessage,
  response: ServerResponse,
  sent: boolean,
) => Promise<CorsDecision>;

/**
 * A gateway handshake, read from Node's own request (no HTTP framework sees
 * handshakes). An upgrade is a GET (RFC 6455 §4.1), decided as the simple
 * request it is; Socket.IO's polling transport sends GET, POST and
 * preflights. Without Origin, a handshake comes from a program, not a browser
 * (browsers send Origin on every WebSocket handshake), and passes as on HTTP
 * routes: a program can claim any Origin anyway.
 */
export const HANDSHAKE_READER: PlatformRequestReader<IncomingMessage, ServerResponse> = {
  /**
   * The scheme this connection reached the server by. Forwarded headers are
   * not read: behind a TLS-terminating proxy a same-origin page does not
   * match, and is refused unless the policy lists it (deny by default).
   */
  protocol: (request) => ('encrypted' in request.socket && request.socket.encrypted === true ? 'https' : 'http'),
  hostname: (request) => request.headers.host ?? '',
  // No HTTP framework gave a handshake an id: the client's `X-Request-Id`, if any, is not trusted into logs.
  requestId: () => undefined,
  // The polling response, or for an upgrade one that is never sent, holding the refusal's headers.
  headerTarget: (response) => response,
  serverResponse: (response) => response,
  routesAfterHook: false,
  checksHeadAsWritten: false,
};

/**
 * Refuses an upgrade with 403, as RFC 6455 §10.2 asks for an origin the
 * server does not accept (engine.io would answer 400, ws 401), and closes
 * the socket. The headers are the ones the responder wrote on `answer`
 * (`Vary`, and the reason in development).
 */
export function refuseUpgrade(socket: Duplex, answer: ServerResponse): void {
  const headers = Object.entries(answer.getHeaders()).map(
    ([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}\r\n`,
  );
  socket.on('error', () => undefined);
  if (socket.writable) {
    socket.write(
      'HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n' +
        `${headers.join('')}Content-Length: ${Buffer.byteLength(CORS_REFUSED_MESSAGE)}\r\n\r\n${CORS_REFUSED_MESSAGE}`,
    );
  }
  socket.destroy();
}
