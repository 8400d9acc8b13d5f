/**
 * The greet service's Socket.IO gateway is under its `frontend` policy
 * (issue 19): greetings over either transport from the configured origin
 * only, and `CORS_ALLOW_CREDENTIALS` reaching handshakes too. How the package
 * decides handshakes is its own suite's (packages/nestjs-route-cors/test/gateways-socket-io.e2e-spec.ts).
 */
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { CorsPolicies } from 'nestjs-route-cors';
import { connectAs, pollingHandshake } from './support/handshakes.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { createTestApp, HTTP_ADAPTER } from './app.harness.js';

const ALLOWED = 'http://localhost:1234';
const FOREIGN = 'https://evil.com';

async function listening(env: Record<string, string>): Promise<{ app: INestApplication; port: number }> {
  const config = loadConfig({ HTTP_ADAPTER, CORS_ALLOWED_ORIGINS: ALLOWED, ...env });
  // On the platform under test: Socket.IO shares the HTTP server with Express or Fastify.
  const app = await createTestApp(AppModule.forConfig(config), config);
  await app.listen(0, '127.0.0.1');
  return { app, port: ((app.getHttpServer() as Server).address() as AddressInfo).port };
}

describe('the greet gateway under the frontend policy', () => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    ({ app, port } = await listening({}));
  });
  afterAll(() => app.close());

  it.each(['polling', 'websocket'] as const)(
    'greets over %s from the allowed origin, as POST /greet does',
    async (transport) => {
      const socket = await connectAs(port, ALLOWED, transport);
      try {
        const answer: unknown = await socket.emitWithAck('greet', { name: 'Alice', lang: 'es' });
        expect(answer).toMatchObject({ greeting: 'Hola, Alice!' });
      } finally {
        socket.close();
      }
    },
  );

  it.each(['polling', 'websocket'] as const)('cannot connect over %s from a foreign origin', async (transport) => {
    await expect(connectAs(port, FOREIGN, transport)).rejects.toThrow();
  });

  it('lists the gateway with its policy for cors:routes', () => {
    const [server] = app.get(CorsPolicies).routeReport().gateways;
    expect(server).toMatchObject({ method: 'WS', path: '/socket.io/ → GreetGateway (socket.io)' });
    expect(server?.policy?.declared.origins).toEqual([ALLOWED]);
  });
});

describe('the greet gateway with CORS_ALLOW_CREDENTIALS=true', () => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    ({ app, port } = await listening({ CORS_ALLOW_CREDENTIALS: 'true' }));
  });
  afterAll(() => app.close());

  it('lets the polling transport carry cookies (withCredentials) for the allowed origin only', async () => {
    const allowed = await pollingHandshake(port, 'GET', { Origin: ALLOWED, Cookie: 'greet_lang=es' });
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const refused = await pollingHandshake(port, 'GET', { Origin: FOREIGN, Cookie: 'greet_lang=es' });
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
