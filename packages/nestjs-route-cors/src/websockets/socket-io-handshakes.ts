/**
 * Socket.IO (engine.io): one engine middleware. engine.io runs its
 * middlewares on every polling request and on every upgrade, before its own
 * checks (`verify`, `allowRequest`) and before it opens a session, so a
 * refused request never gets a session id or a connection.
 */
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Namespace, Server } from 'socket.io';
import type { CorsDecision } from '../core/cors-decision.js';
import { CORS_REFUSED_MESSAGE } from '../nest/cors.constants.js';
import { endPreflightResponse } from '../nest/node-request.js';
import { type HandshakeCheck, refuseUpgrade } from './handshake-check.js';

type EngineMiddleware = (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void) => void;

/** engine.io's error body (`code` 4 is its FORBIDDEN), so that Socket.IO clients report it as they report their own refusals. */
const POLLING_REFUSAL = JSON.stringify({ code: 4, message: CORS_REFUSED_MESSAGE });

/** The Socket.IO server behind what `IoAdapter.create()` returned: the server, or one of its namespaces. */
export function socketIoServerOf(created: unknown): Server | undefined {
  if (typeof created !== 'object' || created === null) return undefined;
  const server = 'engine' in created ? created : 'server' in created ? (created as Namespace).server : undefined;
  return server !== undefined && typeof (server as Server).engine?.use === 'function' ? (server as Server) : undefined;
}

function answerPolling(response: ServerResponse, decision: CorsDecision, next: () => void): void {
  if (!decision.allowed) {
    response.writeHead(403, { 'Content-Type': 'application/json' }).end(POLLING_REFUSAL);
  } else if (decision.kind === 'preflight') {
    endPreflightResponse(response);
  } else {
    next();
  }
}

/** The middleware that puts `check` in front of an engine: polling gets CORS answers, refused requests stop here. */
export function socketIoHandshakeMiddleware(check: HandshakeCheck): EngineMiddleware {
  return (request, response, next) => {
    // On an upgrade engine.io hands its middlewares a stand-in, not an http.ServerResponse.
    const polling = response instanceof ServerResponse;
    const answer = polling ? response : new ServerResponse(request);
    check(request, answer, polling).then(
      (decision) => {
        if (polling) answerPolling(answer, decision, next);
        else if (decision.allowed) next();
        else refuseUpgrade(request.socket, answer);
      },
      (error: unknown) => next(error),
    );
  };
}

/** Installs the check on the engine of a Socket.IO server; returns the path the engine answers. */
export function protectSocketIoServer(server: Server, check: HandshakeCheck): string {
  server.engine.use(socketIoHandshakeMiddleware(check));
  return `${server.path()}/`;
}
