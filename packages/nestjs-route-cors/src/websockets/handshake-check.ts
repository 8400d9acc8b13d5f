import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsDecision } from '../core/index.js';

/**
 * Decides a handshake request with the gateway's policy, writes the answer's
 * CORS headers on `response` and reports a refusal: what the Socket.IO and ws
 * parts ask before they let a request reach the gateway's server. For an
 * upgrade, `response` is never sent; a refusal's 403 copies its headers.
 */
export type HandshakeCheck = (request: IncomingMessage, response: ServerResponse) => Promise<CorsDecision>;
