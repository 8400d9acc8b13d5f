/**
 * @Cors() on a Socket.IO gateway (issue 19): the policy decides every
 * handshake, polling or WebSocket, before a session or a connection exists,
 * on the HTTP platform under test. Raw requests, as browsers and programs send them.
 */
import type { INestApplication } from '@nestjs/common';
import { CorsPolicies } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import { ALLOWED, FOREIGN, FRONTEND, SocketIoGatewayModule } from './fixtures/socket-io-gateway.module.js';
import { listening, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';
import { connectAs, pollingHandshake, upgrade } from '../../../test/support/handshakes.js';

const WS_PATH = '/socket.io/?EIO=4&transport=websocket';

/** Starts the gateway's application listening; `port()` is its port. */
function useGatewayApp(credentials: boolean): { app: () => INestApplication; port: () => number } {
  let app: INestApplication | undefined;
  let port = 0;
  beforeAll(async () => {
    app = await startFixtureApp(SocketIoGatewayModule.withCredentials(credentials));
    port = await listening(app);
  });
  afterAll(() => app?.close());
  return {
    app: () => {
      if (app === undefined) throw new Error('the app is not started yet');
      return app;
    },
    port: () => port,
  };
}

describe('a Socket.IO gateway under a policy', () => {
  const running = useGatewayApp(false);

  describe('WebSocket upgrades', () => {
    it.each([
      ['a foreign origin', { Origin: FOREIGN }],
      ['Origin: null (a sandboxed page, a file)', { Origin: 'null' }],
      ['two Origin values', { Origin: `${ALLOWED}, ${FOREIGN}` }],
      ['an origin that only looks like the allowed one', { Origin: 'http://localhost:12345' }],
    ])('refuses %s with 403, never 101', async (_, headers) => {
      const answer = await upgrade(running.port(), WS_PATH, headers);
      expect(answer.status).toBe(403);
      expect(answer.head).not.toMatch(/access-control-allow-origin/i);
      expect(answer.body).toBe('Cross-origin request not allowed');
    });

    it('opens the connection for the allowed origin', async () => {
      expect((await upgrade(running.port(), WS_PATH, { Origin: ALLOWED })).status).toBe(101);
    });

    it('opens it for a program that sends no Origin (browsers always send one)', async () => {
      expect((await upgrade(running.port(), WS_PATH, {})).status).toBe(101);
    });

    it('opens it for a same-origin page', async () => {
      expect((await upgrade(running.port(), WS_PATH, { Origin: `http://127.0.0.1:${running.port()}` })).status).toBe(
        101,
      );
    });
  });

  describe('the polling transport', () => {
    it('refuses the handshake of a foreign origin: 403, no Access-Control-Allow-Origin, no session', async () => {
      const answer = await pollingHandshake(running.port(), 'GET', { Origin: FOREIGN });
      expect(answer.status).toBe(403);
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers.vary).toMatch(/Origin/);
      expect(answer.body).not.toMatch(/sid/);
    });

    it("opens a session for the allowed origin, with the HTTP routes' CORS headers", async () => {
      const answer = await pollingHandshake(running.port(), 'GET', { Origin: ALLOWED });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatch(/"sid":"/);
      expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(answer.headers['access-control-expose-headers']).toBe('X-Request-Id');
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('answers an allowed preflight as the HTTP routes do: 204, an explicit empty body', async () => {
      const allowed = await pollingHandshake(running.port(), 'OPTIONS', {
        Origin: ALLOWED,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers['content-length']).toBe('0');
      expect(allowed.body).toBe('');
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(allowed.headers['access-control-allow-headers']).toBe('Content-Type');
    });

    it('refuses the preflight of a foreign origin', async () => {
      const refused = await pollingHandshake(running.port(), 'OPTIONS', {
        Origin: FOREIGN,
        'Access-Control-Request-Method': 'POST',
      });
      expect(refused.status).toBe(403);
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('a Socket.IO client', () => {
    it.each(['polling', 'websocket'] as const)(
      'exchanges messages over %s from the allowed origin',
      async (transport) => {
        const socket = await connectAs(running.port(), ALLOWED, transport);
        try {
          const answer: unknown = await socket.emitWithAck('echo', { said: 'hello' });
          expect(answer).toEqual({ said: 'hello' });
        } finally {
          socket.close();
        }
      },
    );

    it.each(['polling', 'websocket'] as const)('cannot connect over %s from a foreign origin', async (transport) => {
      await expect(connectAs(running.port(), FOREIGN, transport)).rejects.toThrow();
    });
  });

  it('lists the gateway with its policy in the route report', () => {
    const [server] = running.app().get(CorsPolicies).routeReport().gateways;
    expect(server).toMatchObject({ method: 'WS', path: '/socket.io/ → EchoGateway (socket.io)' });
    expect(server?.policy?.declared.origins).toEqual([ALLOWED]);
    // The transport's methods join the policy's own POST.
    expect(server?.policy?.declared.methods).toEqual(expect.arrayContaining(['GET', 'POST']));
  });

  it('applies a replaced policy to the next handshake', async () => {
    const policies = running.app().get(CorsPolicies);
    policies.replace('frontend', { origins: [FOREIGN], methods: ['POST'] });
    try {
      expect((await upgrade(running.port(), WS_PATH, { Origin: FOREIGN })).status).toBe(101);
      expect((await upgrade(running.port(), WS_PATH, { Origin: ALLOWED })).status).toBe(403);
    } finally {
      policies.replace('frontend', FRONTEND);
    }
  });
});

describe('a Socket.IO gateway whose policy allows credentials', () => {
  const running = useGatewayApp(true);

  it('lets the polling transport carry cookies (withCredentials) for the allowed origin only', async () => {
    const allowed = await pollingHandshake(running.port(), 'GET', { Origin: ALLOWED, Cookie: 'session=abc' });
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    const refused = await pollingHandshake(running.port(), 'GET', { Origin: FOREIGN, Cookie: 'session=abc' });
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses a foreign upgrade that carries cookies: the check does not depend on credentials', async () => {
    expect((await upgrade(running.port(), WS_PATH, { Origin: FOREIGN, Cookie: 'session=stolen' })).status).toBe(403);
  });
});

describe("testing a gateway's policy with expectCors, as docs/gateways.md shows", () => {
  const running = useApp(() => startFixtureApp(SocketIoGatewayModule.withCredentials(false)));
  const handshake = '/socket.io/?EIO=4&transport=polling';

  it('lets only the front end open a Socket.IO session', async () => {
    await expectCors(running.app()).actual(handshake, { origin: ALLOWED }).toBeAllowed();
    await expectCors(running.app()).actual(handshake, { origin: FOREIGN }).toBeRefused();
  });

  it("says what the handshake got and the gateway policy's reason when an expectation fails", async () => {
    const failure = expectCors(running.app()).actual(handshake, { origin: FOREIGN }).toBeAllowed();
    await expect(failure).rejects.toThrow(
      `expected the request GET ${handshake} from "${FOREIGN}" to be allowed, but the server answered 403 without Access-Control-Allow-Origin.\n` +
        `Why: refused: origin "${FOREIGN}" is not in policy 'frontend + EchoGateway.handshake' (allowed: ${ALLOWED}); Socket.IO polling and WebSocket handshakes get 403 and no connection`,
    );
  });
});
