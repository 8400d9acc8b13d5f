/**
 * `cors:explain` for a gateway path: what a page on `origin` gets when it
 * opens a Socket.IO or WebSocket connection, from the same decision the
 * running gateway makes.
 */
import { decideCors } from '../core/cors-decision.js';
import { describeRejection } from '../core/rejections.js';
import { type CorsExplainInput, type CorsExplanation, explainedOrigin } from '../nest/cors-explainer.js';
import type { CorsGatewayServer } from './gateway-sites.js';

/** `input.credentials`: Socket.IO's `withCredentials: true` (the polling transport then needs credentials allowed). */
export async function explainGatewayHandshake(
  server: CorsGatewayServer,
  input: CorsExplainInput,
): Promise<CorsExplanation> {
  const origin = explainedOrigin(input.origin);
  const { policy } = server;
  const decision = await decideCors(policy, {
    method: 'GET',
    origin,
    selfOrigin: undefined,
    requestMethod: undefined,
    requestHeaders: undefined,
    carriesCookies: input.credentials,
  });
  const credentialsRefused = input.credentials && decision.allowed && !policy.credentials;
  const handshake = `${server.transport === 'socket.io' ? 'Socket.IO polling and WebSocket handshakes' : 'WebSocket handshakes'}`;
  const verdict = !decision.allowed
    ? `refused: ${decision.rejection ? describeRejection(decision.rejection, policy) : 'refused'}; ${handshake} get 403 and no connection`
    : credentialsRefused
      ? `refused: policy '${policy.name}' does not allow credentials, so the browser blocks polling with withCredentials: true (a WebSocket connection is not subject to CORS)`
      : `allowed: ${origin} may connect to ${server.gateways.join(', ')} under policy '${policy.name}'`;
  const allowed = decision.allowed && !credentialsRefused;
  return {
    route: {
      method: 'GET',
      path: server.path,
      handler: `${server.gateways.join(', ')} (${server.transport} handshake)`,
      policy: policy.name,
    },
    preflight: { needed: false, why: 'a handshake is a simple GET: browsers send no preflight', allowed: true },
    actual: {
      sent: true,
      readable: allowed,
      response: {
        status: decision.allowed ? (server.transport === 'ws' ? 101 : 200) : 403,
        headers: decision.headers,
        vary: decision.vary,
      },
    },
    allowed,
    // Handshakes reach the gateway's server, never Nest's CSRF check.
    csrfExempt: false,
    verdict,
    ...(policy.mode === undefined ? {} : { mode: policy.mode }),
  };
}
