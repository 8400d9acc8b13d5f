/**
 * `cors:explain` for a gateway path: what a page on `origin` gets when it
 * opens a Socket.IO or WebSocket connection, from the same decision the
 * running gateway makes.
 */
import { decideCors, describeRejection, normaliseOrigin, OriginSyntaxError } from '../core/index.js';
import { CorsExplainInputError, type CorsExplanation } from '../nest/cors-explainer.js';
import type { CorsGateways } from './cors-gateways.js';

export interface GatewayExplainInput {
  readonly origin: string;
  /** The handshake path, e.g. `/socket.io/`. */
  readonly path: string;
  /** Socket.IO's `withCredentials: true` (the polling transport then needs credentials allowed). */
  readonly credentials: boolean;
}

export async function explainGatewayHandshake(gateways: CorsGateways, input: GatewayExplainInput): Promise<CorsExplanation> {
  const server = gateways.serverAt(input.path);
  if (server === undefined) {
    throw new CorsExplainInputError(`no gateway with a CORS policy answers handshakes at ${input.path}`);
  }
  let origin: string;
  try {
    origin = normaliseOrigin(input.origin);
  } catch (error) {
    if (error instanceof OriginSyntaxError) throw new CorsExplainInputError(`--origin ${error.message}`);
    throw error;
  }
  const { policy } = server;
  const decision = await decideCors(policy, { method: 'GET', origin, selfOrigin: undefined, requestMethod: undefined, requestHeaders: undefined });
  const credentialsRefused = input.credentials && decision.allowed && !policy.credentials;
  const handshake = `${server.transport === 'socket.io' ? 'Socket.IO polling and WebSocket handshakes' : 'WebSocket handshakes'}`;
  const verdict = !decision.allowed
    ? `refused: ${decision.rejection ? describeRejection(decision.rejection, policy) : 'refused'}; ${handshake} get 403 and no connection`
    : credentialsRefused
      ? `refused: policy '${policy.name}' does not allow credentials, so the browser blocks polling with withCredentials: true (a WebSocket connection is not subject to CORS)`
      : `allowed: ${origin} may connect to ${server.gateways.join(', ')} under policy '${policy.name}'`;
  const allowed = decision.allowed && !credentialsRefused;
  return {
    route: { method: 'GET', path: server.path, handler: `${server.gateways.join(', ')} (${server.transport} handshake)`, policy: policy.name },
    preflight: { needed: false, why: 'a handshake is a simple GET: browsers send no preflight', allowed: true },
    actual: {
      sent: true,
      readable: allowed,
      response: { status: decision.allowed ? (server.transport === 'ws' ? 101 : 200) : 403, headers: decision.headers, vary: decision.vary },
    },
    allowed,
    verdict,
  };
}
