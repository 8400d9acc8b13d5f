/**
 * WebSocket upgrades to a path rule's path: a graphql-ws server, or any ws
 * server on the application's HTTP server, which no gateway declares. The
 * check runs before every `upgrade` listener of the server, whichever was
 * added first: a refused origin gets 403 and the socket is closed, never
 * 101; an upgrade without Origin comes from a program and passes, as on a
 * gateway. Upgrades to other paths go on untouched.
 */
import { EventEmitter } from 'node:events';
import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type CorsDecision, decideRequest } from '../core/cors-decision.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from '../nest/cors.constants.js';
import type { CorsModuleOptions } from '../nest/cors-module-options.interface.js';
import { otherReadings } from '../nest/cors-platform.js';
import { CorsResponder } from '../nest/cors-responder.js';
import { CorsRouteTable } from '../nest/cors-route-table.js';
import { NodeCorsRequest } from '../nest/node-request.js';
import { HANDSHAKE_READER, refuseUpgrade } from './handshake-check.js';

/** The rule's decision for an upgrade, or undefined when no path rule covers its path. */
export type UpgradeDecision = (request: IncomingMessage, answer: ServerResponse) => Promise<CorsDecision> | undefined;

/** An HTTP or HTTPS server, whatever events its type declares. */
function isEventEmitter(value: unknown): value is EventEmitter {
  return value instanceof EventEmitter;
}

/** Decides every upgrade of `server` (HTTP or HTTPS) with `decide` before its listeners see it. */
export function checkUpgrades(server: EventEmitter, decide: UpgradeDecision): void {
  const emit: EventEmitter['emit'] = Reflect.get(server, 'emit');
  const emitUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): boolean =>
    Reflect.apply(emit, server, ['upgrade', request, socket, head]);
  server.emit = function (this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'upgrade') return Reflect.apply(emit, this, [event, ...args]);
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

/** The router's choice for an upgrade: no controller route takes one, so only a path rule can decide it. */
const NO_CONTROLLER_ROUTE = (): null => null;

/**
 * Upgrades to path rules' paths, decided like an HTTP request to them, once
 * the application's HTTP server exists (in `init()`).
 */
@Injectable()
export class PathRuleUpgrades implements OnModuleInit {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  /** Rule policies whose methods refused an upgrade: said once each, not once per connection. */
  private readonly upgradeMethodWarnings = new Set<string>();

  constructor(
    private readonly routes: CorsRouteTable,
    private readonly responder: CorsResponder,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {}

  onModuleInit(): void {
    const server: unknown = this.adapterHost.httpAdapter?.getHttpServer();
    if (this.options.paths !== undefined && this.options.paths.length > 0 && isEventEmitter(server)) {
      checkUpgrades(server, (request, answer) => this.decide(request, answer));
    }
  }

  /**
   * An upgrade to a path rule's path, decided by the rule like an HTTP
   * request to it (only rules: no controller route takes upgrades), its path
   * read as the router reads HTTP requests' (absolute-form targets
   * included), with its other readings; undefined when no rule covers it.
   */
  private decide(request: IncomingMessage, answer: ServerResponse): Promise<CorsDecision> | undefined {
    const facts = new NodeCorsRequest(request, request, answer, HANDSHAKE_READER);
    const { index } = this.routes.lookup;
    const routed = this.routes.router.routingPath(request, facts.url);
    const decided = decideRequest(
      index,
      routed,
      facts,
      NO_CONTROLLER_ROUTE,
      otherReadings(this.routes.router, facts.url, routed),
    );
    if (decided === undefined) return undefined;
    return Promise.resolve(decided).then((decision) => {
      if (decision.rejection?.code === 'method-not-allowed' && decision.policy) this.warnMethod(decision.policy.name);
      return this.responder.answerHandshake(facts, decision, false, routed && index.lookup(routed)?.path);
    });
  }

  /**
   * An upgrade is a GET: a rule policy without GET refuses every WebSocket
   * client of its path (GraphQL subscriptions, a ws server), which the 403
   * alone does not explain. The first such refusal is a warning naming the
   * policy (not the request's path, which the client chose).
   */
  private warnMethod(policy: string): void {
    if (this.upgradeMethodWarnings.has(policy)) return;
    this.upgradeMethodWarnings.add(policy);
    this.logger.warn(
      `a WebSocket upgrade was refused because policy '${policy}' of a path rule does not allow GET, the method of every upgrade: add 'GET' to its methods to accept WebSocket clients there`,
    );
  }
}
