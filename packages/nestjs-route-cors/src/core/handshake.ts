/**
 * The CORS decision for a WebSocket or Socket.IO handshake. Browsers apply no
 * CORS to WebSockets: they open the connection, cookies included, from any
 * page, and only the server's Origin check stops cross-site WebSocket
 * hijacking (RFC 6455 §10.2). A handshake is decided like the simple GET it
 * is, by `decideCors`, so HTTP routes and gateways cannot disagree.
 */
import { type Awaitable, type CorsDecision, type CorsRequestFacts, decideCors } from './cors-headers.js';
import type { CompiledCorsPolicy } from './policy.js';

/**
 * Decides a handshake (`facts.method` is GET for an upgrade, GET, POST or
 * OPTIONS on Socket.IO's polling transport). A handshake without Origin comes
 * from a program, not a browser (browsers always send it on WebSocket and on
 * cross-origin requests), and a program can claim any Origin anyway: it
 * passes, as in Spring, ASP.NET Core and Phoenix, unless the policy is strict.
 */
export function decideHandshake(policy: CompiledCorsPolicy, facts: CorsRequestFacts): Awaitable<CorsDecision> {
  if (facts.origin === undefined && policy.strict) {
    return { kind: 'actual', allowed: false, rejection: { code: 'origin-missing' }, headers: [], vary: policy.anyOrigin ? [] : ['Origin'] };
  }
  return decideCors(policy, facts);
}
