/**
 * The application's `@WebSocketGateway()` classes and their `@Cors()`
 * declarations, read once at start-up from Nest's module graph.
 */
import type { Type } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { CompiledCorsPolicy, CorsDeclaration } from '../core/policy.js';
import { CORS_METADATA_KEY } from '../nest/cors.constants.js';
import { CorsMetadata } from '../nest/cors.decorator.js';

/**
 * The metadata keys of `@nestjs/websockets` (its `constants.ts`), read by
 * name so that an application without gateways need not install it.
 */
export const GATEWAY_METADATA = 'websockets:is_gateway';
export const PORT_METADATA = 'port';
export const GATEWAY_OPTIONS = 'websockets:gateway_options';

/** A gateway server the module protects, as the adapter created it. */
export interface CorsGatewayServer {
  readonly gateways: readonly string[];
  readonly transport: 'socket.io' | 'ws';
  readonly port: number;
  /** The path its handshakes use, e.g. `/socket.io/`. */
  readonly path: string;
  /** The policy as it is now. */
  readonly policy: CompiledCorsPolicy;
}

/** The `@WebSocketGateway()` options this module reads. */
interface GatewayOptions {
  readonly path?: unknown;
  readonly namespace?: unknown;
  readonly cors?: unknown;
}

export interface GatewaySite {
  readonly type: Type;
  readonly name: string;
  readonly port: number;
  /** As declared; undefined for the adapter's default (`/socket.io`, or `/` on ws). */
  readonly path: string | undefined;
  readonly declaration: CorsDeclaration | undefined;
  /** Whether the gateway also sets Socket.IO's own `cors` option. */
  readonly ownCorsOption: boolean;
}

/**
 * Nest gives the gateways of one port and path one server
 * (`SocketsContainer.getOneByConfig({ port, path })`); the same key here.
 */
export function serverKey(port: number, path: unknown): string {
  return `${port} ${typeof path === 'string' ? path : ''}`;
}

export function siteKey(site: GatewaySite): string {
  return serverKey(site.port, site.path);
}

function gatewayOptions(type: Type): GatewayOptions {
  const options: unknown = Reflect.getMetadata(GATEWAY_OPTIONS, type);
  return typeof options === 'object' && options !== null ? options : {};
}

/** Every gateway class registered as a provider, once each. */
export function readGatewaySites(discovery: DiscoveryService, reflector: Reflector): GatewaySite[] {
  const types = new Set<Type>();
  for (const wrapper of discovery.getProviders()) {
    const type = wrapper.metatype as Type | null;
    if (typeof type === 'function' && Reflect.getMetadata(GATEWAY_METADATA, type) === true) types.add(type);
  }
  return [...types].map((type) => {
    const options = gatewayOptions(type);
    const port: unknown = Reflect.getMetadata(PORT_METADATA, type);
    return {
      type,
      name: type.name,
      port: typeof port === 'number' ? port : 0,
      path: typeof options.path === 'string' ? options.path : undefined,
      declaration: reflector.get(CorsMetadata, type),
      ownCorsOption: options.cors !== undefined && options.cors !== false,
    };
  });
}

/**
 * `@Cors()` where nothing would enforce it, each as a sentence: on a provider
 * that is not a gateway (a GraphQL resolver, a service), or on a gateway's
 * method (a handshake is the whole server's). Resolvers share one HTTP
 * endpoint, whose policy is a path rule's.
 */
export function misplacedDeclarations(discovery: DiscoveryService, scanner: MetadataScanner): string[] {
  const problems: string[] = [];
  const declared = (target: object): boolean => Reflect.hasMetadata(CORS_METADATA_KEY, target);
  const seen = new Set<Type>();
  for (const wrapper of discovery.getProviders()) {
    const type = wrapper.metatype as Type | null;
    if (typeof type !== 'function' || seen.has(type) || typeof type.prototype !== 'object') continue;
    seen.add(type);
    const gateway = Reflect.getMetadata(GATEWAY_METADATA, type) === true;
    if (!gateway && declared(type)) {
      problems.push(
        `@Cors() on ${type.name} has no effect: it is neither a controller nor a WebSocket gateway. GraphQL resolvers share one HTTP endpoint: give it a policy with CorsModule.forRoot({ paths: [{ path: '/graphql', policy: ... }] })`,
      );
    }
    const prototype = type.prototype as Record<string, unknown>;
    for (const name of scanner.getAllMethodNames(prototype)) {
      const method = prototype[name];
      if (typeof method === 'function' && declared(method)) {
        problems.push(
          gateway
            ? `@Cors() on ${type.name}.${name} has no effect: a gateway's handshake serves all of it; put @Cors() on the ${type.name} class`
            : `@Cors() on ${type.name}.${name} has no effect: it is not a route handler. GraphQL resolvers share one HTTP endpoint: give it a policy with CorsModule.forRoot({ paths: [{ path: '/graphql', policy: ... }] })`,
        );
      }
    }
  }
  return problems;
}

function policyLabel(declaration: CorsDeclaration | undefined): string {
  if (declaration === undefined || declaration.kind === 'disabled') return 'no @Cors()';
  return declaration.kind === 'named' ? `@Cors('${declaration.name}')` : 'an inline @Cors()';
}

function sameDeclaration(a: CorsDeclaration | undefined, b: CorsDeclaration | undefined): boolean {
  if (a?.kind === 'named' && b?.kind === 'named') return a.name === b.name;
  // Inline policies are compiled per gateway: two are never the same policy.
  return policyLabel(a) === policyLabel(b) && a?.kind !== 'inline';
}

/**
 * Declarations the module cannot enforce, each as a sentence:
 * - Socket.IO's `cors` option would answer the polling transport by its own
 *   rules (e.g. `origin: '*'`), before and beside the policy;
 * - gateways sharing a server share its handshake, which happens before
 *   Socket.IO knows the namespace: they must share the policy too.
 */
export function gatewayProblems(sites: readonly GatewaySite[]): string[] {
  const problems: string[] = [];
  const byServer = new Map<string, GatewaySite>();
  for (const site of sites) {
    if (site.declaration !== undefined && site.declaration.kind !== 'disabled' && site.ownCorsOption) {
      problems.push(
        `@Cors() on ${site.name} and Socket.IO's cors option (@WebSocketGateway({ cors })) would both answer its CORS: remove the cors option, the policy answers the polling transport`,
      );
    }
    const first = byServer.get(siteKey(site));
    if (first === undefined) {
      byServer.set(siteKey(site), site);
    } else if (!sameDeclaration(first.declaration, site.declaration)) {
      problems.push(
        `${first.name} (${policyLabel(first.declaration)}) and ${site.name} (${policyLabel(site.declaration)}) share one WebSocket server (port ${site.port}, path ${site.path ?? 'default'}), whose handshake comes before any namespace: give them the same named policy, or different paths`,
      );
    }
  }
  return problems;
}
