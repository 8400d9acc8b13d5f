/**
 * WebSocket upgrades to a path rule's path: a graphql-ws server, or any ws
 * server on the application's HTTP server, which no gateway declares. The
 * check runs before every `upgrade` listener of the server, whichever was
 * added first: a refused origin gets 403 and the socket is closed, never
 * 101; an upgrade without Origin comes from a program and passes, as on a
 * gateway. Upgrades to other paths go on untouched.
 */
import type { EventEmitter } from 'node:events';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type CorsDecision } from '../core/index.js';
import { refuseUpgrade } from './handshake-check.js';

/** The rule's decision for an upgrade, or undefined when no path rule covers its path. */
export type UpgradeDecision = (request: IncomingMessage, answer: ServerResponse) => Promise<CorsDecision> | undefined;

/** Decides every upgrade of `server` (HTTP or HTTPS) with `decide` before its listeners see it. */
export function checkUpgrades(server: EventEmitter, decide: UpgradeDecision): void {
  const emit = server.emit;
  const emitUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): boolean => Reflect.apply(emit, server, ['upgrade', request, socket, head]) as boolean;
  server.emit = function (this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'upgrade') return Reflect.apply(emit, this, [event, ...args]) as boolean;
    const [request, socket, head] = args as [IncomingMessage, Duplex, Buffer];
    // Never sent: it holds the headers the responder writes for a refusal (Vary, the reason in development).
    const answer = new ServerResponse(request);
    const decided = decide(request, answer);
    if (decided === undefined) return emitUpgrade(request, socket, head);
    decided.then(
      (decision) => (decision.allowed ? emitUpgrade(request, socket, head) : refuseUpgrade(socket, answer)),
      // Deny by default: a check that failed unexpectedly lets nobody in.
      () => socket.destroy(),
    );
    return true;
  } as EventEmitter['emit'];
}
