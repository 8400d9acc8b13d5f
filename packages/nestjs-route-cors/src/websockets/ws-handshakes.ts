/**
 * ws (`@nestjs/platform-ws`): the check runs as the server's `verifyClient`,
 * which ws calls inside `handleUpgrade` in every mode Nest uses (its own
 * port, or `noServer` behind the adapter's upgrade listener), after its own
 * handshake validation and before it answers 101.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { VerifyClientCallbackAsync, VerifyClientCallbackSync, WebSocketServer } from 'ws';
import { CORS_REFUSED_MESSAGE } from '../nest/cors.constants.js';
import type { HandshakeCheck } from './handshake-check.js';

type VerifyClient = VerifyClientCallbackAsync<IncomingMessage> | VerifyClientCallbackSync<IncomingMessage>;

/** ws tells the two forms apart the same way: by the number of parameters. */
function isSyncVerifier(verify: VerifyClient): verify is VerifyClientCallbackSync<IncomingMessage> {
  return verify.length < 2;
}

/** The ws server `WsAdapter.create()` returned, if it is one. */
export function wsServerOf(created: unknown): WebSocketServer | undefined {
  return typeof created === 'object' && created !== null && 'handleUpgrade' in created && 'options' in created
    ? (created as WebSocketServer)
    : undefined;
}

/**
 * `check` first; an allowed handshake then goes to the gateway's own
 * `verifyClient` (e.g. authentication), if it has one. A refusal is 403
 * (RFC 6455 §10.2), not ws's default 401.
 */
export function corsVerifyClient(
  check: HandshakeCheck,
  own: VerifyClient | undefined,
): VerifyClientCallbackAsync<IncomingMessage> {
  return (info, callback) => {
    // Never sent: it holds the headers the responder writes for the 403 (Vary, the reason in development).
    const answer = new ServerResponse(info.req);
    check(info.req, answer, false).then(
      (decision) => {
        if (!decision.allowed) callback(false, 403, CORS_REFUSED_MESSAGE, answer.getHeaders());
        else if (own === undefined) callback(true);
        else if (isSyncVerifier(own)) callback(own(info));
        else own(info, callback);
      },
      // Deny by default: a check that failed unexpectedly lets nobody in.
      () => callback(false, 500),
    );
  };
}

/** Installs the check on a ws server; returns the path it serves. */
export function protectWsServer(
  server: WebSocketServer,
  check: HandshakeCheck,
  declaredPath: string | undefined,
): string {
  server.options.verifyClient = corsVerifyClient(check, server.options.verifyClient ?? undefined);
  return declaredPath ?? '/';
}
