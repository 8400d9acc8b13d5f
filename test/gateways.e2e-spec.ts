/**
 * @Cors() on the greet service's Socket.IO gateway (issue 19): the
 * `frontend` policy decides every handshake, polling or WebSocket, before a
 * session or a connection exists. Raw requests, as browsers and programs send them.
 */
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { CorsPolicies } from 'nestjs-route-cors';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { createTestApp, HTTP_ADAPTER } from './app.harness.js';
import { pollingHandshake, upgrade } from './support/handshakes.js';

const ALLOWED = 'http://localhost:1234';
const FOREIGN = 'https://evil.com';
const WS_PATH = '/socket.io/?EIO=4&transport=websocket';

async function listening(env: Record<string, string>): Promise<{ app: INestApplication; port: number }> {
  const config = loadConfig({ HTTP_ADAPTER, CORS_ALLOWED_ORIGINS: ALLOWED, ...env });
  // On the platform under test: Socket.IO shares the HTTP server with Express or Fastify.
  const app = await createTestApp(AppModule.forConfig(config), config);
  await app.listen(0, '127.0.0.1');
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

/** A Socket.IO client that sends `origin` as a browser page would, on one transport. */
function connectAs(port: number, origin: string, transport: 'polling' | 'websocket'): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, { transports: [transport], extraHeaders: { Origin: origin }, reconnection: false, timeout: 5_000 });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

describe('the greet gateway under the frontend policy', () => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    ({ app, port } = await listening({}));
  });
  afterAll(() => app.close());

  describe('WebSocket upgrades', () => {
    it.each([
      ['a foreign origin', { Origin: FOREIGN }],
      ['Origin: null (a sandboxed page, a file)', { Origin: 'null' }],
      ['two Origin values', { Origin: `${ALLOWED}, ${FOREIGN}` }],
      ['an origin that only looks like the allowed one', { Origin: 'http://localhost:12345' }],
    ])('refuses %s with 403, never 101', async (_, headers) => {
      const answer = await upgrade(port, WS_PATH, headers);
      expect(answer.status).toBe(403);
      expect(answer.head).not.toMatch(/access-control-allow-origin/i);
      expect(answer.body).toBe('Cross-origin request not allowed');
    });

    it('opens the connection for the allowed origin', async () => {
      expect((await upgrade(port, WS_PATH, { Origin: ALLOWED })).status).toBe(101);
    });

    it('opens it for a program that sends no Origin (browsers always send one)', async () => {
      expect((await upgrade(port, WS_PATH, {})).status).toBe(101);
    });

    it('opens it for a same-origin page', async () => {
      expect((await upgrade(port, WS_PATH, { Origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    });
  });

  describe('the polling transport', () => {
    it('refuses the handshake of a foreign origin: 403, no Access-Control-Allow-Origin, no session', async () => {
      const answer = await pollingHandshake(port, 'GET', { Origin: FOREIGN });
      expect(answer.status).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/Origin/);
      expect(answer.body).not.toMatch(/sid/);
    });

    it('opens a session for the allowed origin, with the HTTP routes\' CORS headers', async () => {
      const answer = await pollingHandshake(port, 'GET', { Origin: ALLOWED });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/"sid":"/);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(answer.headers['access-control-expose-headers']).toBe('X-Request-Id');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('answers preflights as the HTTP routes do', async () => {
      const allowed = await pollingHandshake(port, 'OPTIONS', { Origin: ALLOWED, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' });
      expect(allowed.status).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(allowed.headers['access-control-allow-headers']).toBe('Content-Type');
      const refused = await pollingHandshake(port, 'OPTIONS', { Origin: FOREIGN, 'Access-Control-Request-Method': 'POST' });
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('a Socket.IO client', () => {
    it.each(['polling', 'websocket'] as const)('greets over %s from the allowed origin, as POST /greet does', async (transport) => {
      const socket = await connectAs(port, ALLOWED, transport);
      try {
        const answer: unknown = await socket.emitWithAck('greet', { name: 'Alice', lang: 'es' });
        expect(answer).toMatchObject({ greeting: 'Hola, Alice!' });
      } finally {
        socket.close();
      }
    });

    it.each(['polling', 'websocket'] as const)('cannot connect over %s from a foreign origin', async (transport) => {
      await expect(connectAs(port, FOREIGN, transport)).rejects.toThrow();
    });
  });

  it('lists the gateway with its policy for cors:routes', () => {
    const [server] = app.get(CorsPolicies).routeReport().gateways;
    expect(server).toMatchObject({ method: 'WS', path: '/socket.io/ → GreetGateway (socket.io)' });
    expect(server?.policy?.declared.origins).toEqual([ALLOWED]);
    // The transport's methods join the policy's own POST.
    expect(server?.policy?.declared.methods).toEqual(expect.arrayContaining(['GET', 'POST']));
  });

  it('applies a replaced policy to the next handshake', async () => {
    const policies = app.get(CorsPolicies);
    policies.replace('frontend', { origins: [FOREIGN], methods: ['POST'] });
    try {
      expect((await upgrade(port, WS_PATH, { Origin: FOREIGN })).status).toBe(101);
      expect((await upgrade(port, WS_PATH, { Origin: ALLOWED })).status).toBe(403);
    } finally {
      policies.replace('frontend', { origins: [ALLOWED], methods: ['POST'], allowedHeaders: ['Content-Type'], exposedHeaders: ['X-Request-Id'], maxAge: 60 });
    }
  });
});

describe('the greet gateway with credentials allowed', () => {
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

  it('refuses a foreign upgrade that carries cookies: the check does not depend on credentials', async () => {
    expect((await upgrade(port, WS_PATH, { Origin: FOREIGN, Cookie: 'session=stolen' })).status).toBe(403);
  });
});
