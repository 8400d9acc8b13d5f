import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { type CorsDecision, decideCors } from '../core/cors-decision.js';
import { ConfigurationProblems, CorsConfigurationError } from '../core/errors.js';
import type { CompiledCorsPolicy, CorsDeclaration } from '../core/policy.js';
import { type NamedPolicy, resolveRoutePolicy } from '../core/resolve-policy.js';
import { formatGatewayTable, reportedPolicy, type RouteReportRow } from '../core/route-report.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from '../nest/cors.constants.js';
import type { CorsExplainInput, CorsExplanation } from '../nest/cors-explainer.js';
import type { CorsModuleOptions } from '../nest/cors-module-options.interface.js';
import type { CorsGatewayReports } from '../nest/cors-policies.service.js';
import { CorsResponder } from '../nest/cors-responder.js';
import { CorsPolicySet } from '../nest/cors-policy-set.js';
import { NodeCorsRequest, pathOf } from '../nest/node-request.js';
import { explainGatewayHandshake } from './gateway-explainer.js';
import { observeGatewayServers } from './gateway-servers.js';
import {
  type CorsGatewayServer,
  gatewayProblems,
  type GatewaySite,
  misplacedDeclarations,
  readGatewaySites,
  serverKey,
  siteKey,
} from './gateway-sites.js';
import { HANDSHAKE_READER, type HandshakeCheck } from './handshake-check.js';
import { protectSocketIoServer, socketIoServerOf } from './socket-io-handshakes.js';
import { protectWsServer, wsServerOf } from './ws-handshakes.js';

/**
 * The methods a gateway's transports use, added to its policy (as a handler's
 * `{ merge: true }` adds to its controller's): every handshake is a GET, and
 * Socket.IO's polling transport sends with POST. They belong to the
 * transport, not to the API the policy was written for.
 */
const TRANSPORT_METHODS: CorsDeclaration = { kind: 'inline', options: { methods: ['GET', 'POST'] }, merge: true };

interface ProtectedServer {
  readonly site: GatewaySite;
  readonly transport: CorsGatewayServer['transport'];
  readonly path: string;
}

type GatewayPolicies = ReadonlyMap<GatewaySite, CompiledCorsPolicy>;

function optionsPath(options: unknown): unknown {
  return typeof options === 'object' && options !== null && 'path' in options ? options.path : undefined;
}

/** `IoAdapter.create()` with a `server` only adds a namespace to a server that exists (and is protected already). */
function addsNamespace(options: unknown): boolean {
  return typeof options === 'object' && options !== null && 'server' in options && options.server !== undefined;
}

/**
 * `@Cors()` on `@WebSocketGateway()` classes: the gateways' policies, read
 * once at start-up from the same named policies as the routes, and the
 * handshake check installed on each server the WebSocket adapter creates for
 * a gateway with a policy. Gateways without `@Cors()` are left as Nest makes
 * them.
 */
@Injectable()
export class CorsGateways implements OnModuleInit, CorsGatewayReports {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private readonly sites: readonly GatewaySite[];
  private readonly protectedServers: ProtectedServer[] = [];
  private resolved: { readonly named: ReadonlyMap<string, NamedPolicy>; readonly policies: GatewayPolicies };

  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    reflector: Reflector,
    config: ApplicationConfig,
    private readonly policySet: CorsPolicySet,
    private readonly responder: CorsResponder,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {
    this.sites = readGatewaySites(discovery, reflector);
    const problems = new ConfigurationProblems();
    problems.add(...gatewayProblems(this.sites), ...misplacedDeclarations(discovery, scanner));
    problems.throwIfAny();
    this.resolved = this.resolve(policySet.snapshot.named);
    if (this.resolved.policies.size > 0) {
      observeGatewayServers(config, (server, port, serverOptions) => this.protect(server, port, serverOptions));
    }
  }

  /** Runs after Nest created the gateways' servers (in `init()`, before the lifecycle hooks). */
  onModuleInit(): void {
    if (this.options.logRoutes !== false && this.protectedServers.length > 0) {
      this.logger.log(`CORS policies by gateway:\n${formatGatewayTable(this.reportRows())}`);
    }
  }

  /** Every protected gateway server with its policy as it is now. */
  get servers(): CorsGatewayServer[] {
    return this.protectedServers.map(({ site, transport, path }) => ({
      gateways: this.sites.filter((other) => siteKey(other) === siteKey(site)).map((other) => other.name),
      transport,
      port: site.port,
      path,
      policy: this.policyOf(site),
    }));
  }

  /** The rows `cors:routes` prints for gateways: method `WS`, the handshake path, the gateways behind it. */
  reportRows(): RouteReportRow[] {
    return this.servers.map((server) => ({
      method: 'WS',
      path: `${server.port === 0 ? '' : `:${server.port}`}${server.path} → ${server.gateways.join(', ')} (${server.transport})`,
      policy: reportedPolicy(server.policy, this.options.mode),
    }));
  }

  /** The protected server whose handshakes use `path` (query ignored; `/socket.io` and `/socket.io/` alike). */
  serverAt(path: string): CorsGatewayServer | undefined {
    const bare = (value: string): string => pathOf(value).replace(/\/+$/, '');
    return this.servers.find((server) => server.port === 0 && bare(server.path) === bare(path));
  }

  /** What a page gets when it connects to the gateway at `input.path`; undefined when no protected gateway answers there. */
  explain(input: CorsExplainInput): Promise<CorsExplanation> | undefined {
    const server = this.serverAt(input.path);
    return server && explainGatewayHandshake(server, input);
  }

  /**
   * A gateway's policy under the named policies as they are now: resolved
   * again only after `CorsPolicies.replace()` swapped the named policies, so
   * a handshake reads the current policy and never a stale copy.
   */
  private policyOf(site: GatewaySite): CompiledCorsPolicy {
    const named = this.policySet.snapshot.named;
    if (named !== this.resolved.named) {
      this.resolved = this.resolve(named);
    }
    const policy = this.resolved.policies.get(site);
    if (policy === undefined) {
      // Policies are replaced, never removed: a protected gateway always has one.
      throw new Error(`no CORS policy for gateway ${site.name}`);
    }
    return policy;
  }

  /** Each gateway's policy: its declaration plus the transport's methods; every problem at once. */
  private resolve(named: ReadonlyMap<string, NamedPolicy>): {
    named: ReadonlyMap<string, NamedPolicy>;
    policies: GatewayPolicies;
  } {
    const policies = new Map<GatewaySite, CompiledCorsPolicy>();
    const problems = new ConfigurationProblems();
    for (const site of this.sites) {
      if (site.declaration === undefined || site.declaration.kind === 'disabled') continue;
      const declared = {
        controller: site.name,
        handler: 'handshake',
        classDeclaration: site.declaration,
        handlerDeclaration: TRANSPORT_METHODS,
      };
      const policy = problems.attempt(() => resolveRoutePolicy(declared, named));
      if (policy !== undefined) policies.set(site, policy);
    }
    problems.throwIfAny();
    return { named, policies };
  }

  /** Installs the handshake check on a server the adapter just created, if a gateway with a policy uses it. */
  private protect(server: unknown, port: number, options: unknown): void {
    if (addsNamespace(options)) return;
    const key = serverKey(port, optionsPath(options));
    const site = this.sites.find((candidate) => siteKey(candidate) === key && this.resolved.policies.has(candidate));
    if (site === undefined) return;
    const check: HandshakeCheck = (request, response, sent) => this.check(site, request, response, sent);
    const io = socketIoServerOf(server);
    const ws = io === undefined ? wsServerOf(server) : undefined;
    if (io !== undefined) {
      this.protectedServers.push({ site, transport: 'socket.io', path: protectSocketIoServer(io, check) });
    } else if (ws !== undefined) {
      this.protectedServers.push({ site, transport: 'ws', path: protectWsServer(ws, check, site.path) });
    } else {
      // Deny by default: a gateway whose policy cannot be enforced must not start unprotected.
      throw new CorsConfigurationError([
        `@Cors() on ${site.name} cannot be enforced: its WebSocket adapter created a server that is neither Socket.IO's nor ws's`,
      ]);
    }
  }

  /** The same decision, headers and refusal report as an HTTP request's; the gateway's policy is known already. */
  private async check(
    site: GatewaySite,
    request: IncomingMessage,
    response: ServerResponse,
    sent: boolean,
  ): Promise<CorsDecision> {
    const facts = new NodeCorsRequest(request, request, response, HANDSHAKE_READER);
    const decision = await decideCors(this.policyOf(site), facts);
    const route = this.protectedServers.find((server) => server.site === site)?.path;
    return this.responder.answerHandshake(facts, decision, sent, route);
  }
}
