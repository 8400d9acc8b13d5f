import type { IncomingMessage } from 'node:http';
import type { CorsDecision } from '../core/index.js';

/**
 * Decides a handshake request (and reports a refusal): what the Socket.IO
 * and ws parts ask before they let a request reach the gateway's server.
 */
export type HandshakeCheck = (request: IncomingMessage) => Promise<CorsDecision>;
