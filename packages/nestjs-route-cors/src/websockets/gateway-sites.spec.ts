import * as websockets from '@nestjs/websockets/constants.js';
import type { CorsDeclaration } from '../core/policy.js';
import {
  GATEWAY_METADATA,
  GATEWAY_OPTIONS,
  gatewayProblems,
  type GatewaySite,
  PORT_METADATA,
} from './gateway-sites.js';

class Chat {}
class Admin {}

function site(
  type: typeof Chat,
  declaration: CorsDeclaration | undefined,
  overrides: Partial<GatewaySite> = {},
): GatewaySite {
  return { type, name: type.name, port: 0, path: undefined, declaration, ownCorsOption: false, ...overrides };
}

const frontend: CorsDeclaration = { kind: 'named', name: 'frontend', merge: false };
const inline: CorsDeclaration = { kind: 'inline', options: { origins: ['https://a.example'] }, merge: false };

describe('gateway declarations', () => {
  it('reads the same metadata keys as @nestjs/websockets', () => {
    expect([GATEWAY_METADATA, PORT_METADATA, GATEWAY_OPTIONS]).toEqual([
      websockets.GATEWAY_METADATA,
      websockets.PORT_METADATA,
      websockets.GATEWAY_OPTIONS,
    ]);
  });

  it.each([
    ['one gateway with a policy', [site(Chat, frontend)]],
    ['two gateways on one server with the same named policy', [site(Chat, frontend), site(Admin, frontend)]],
    ['two gateways on one server without @Cors()', [site(Chat, undefined), site(Admin, undefined)]],
    [
      'gateways with different policies on different paths',
      [site(Chat, frontend), site(Admin, inline, { path: '/admin' })],
    ],
    [
      'gateways with different policies on different ports',
      [site(Chat, frontend), site(Admin, undefined, { port: 8080 })],
    ],
    ['Socket.IO cors option on a gateway without @Cors()', [site(Chat, undefined, { ownCorsOption: true })]],
  ])('accepts %s', (_, sites) => {
    expect(gatewayProblems(sites)).toEqual([]);
  });

  it.each([
    [
      'a policy and no policy on one server',
      [site(Chat, frontend), site(Admin, undefined)],
      /Chat \(@Cors\('frontend'\)\) and Admin \(no @Cors\(\)\) share one WebSocket server/,
    ],
    ['two inline policies on one server', [site(Chat, inline), site(Admin, inline)], /share one WebSocket server/],
    [
      "@Cors() with Socket.IO's cors option",
      [site(Chat, frontend, { ownCorsOption: true })],
      /@Cors\(\) on Chat and Socket.IO's cors option/,
    ],
  ])('refuses %s', (_, sites, problem) => {
    expect(gatewayProblems(sites)).toEqual([expect.stringMatching(problem)]);
  });
});
