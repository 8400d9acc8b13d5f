/** CORS semantics of the greet service's own policies (issue 9), on the real app. */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CorsPolicies } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import { accessControlForOrigins, accessControlHeaders } from './support/cors-headers.js';
import { registeredRoutes, tableRoutes } from './support/registered-routes.js';
import { answerOf, preflight, startApp, useApp } from './app.harness.js';

const FRONTEND = 'http://localhost:1234';
/** Where `@Cors()` keeps its metadata: a fixed key the package documents (docs/testing.md, "Two copies in one process"). */
const CORS_METADATA_KEY = 'nestjs-route-cors:cors';

/** Sends the allowed origin twice and resolves to the Access-Control-* headers. */
function withTwoOrigins(port: number, method: string, path: string, json?: string): Promise<Record<string, unknown>> {
  return accessControlForOrigins(port, method, path, [FRONTEND, FRONTEND], json);
}
const EVIL = 'https://evil.com';

describe('CORS on the greet service (default configuration)', () => {
  const running = useApp(() => startApp());
  const server = (): App => running.server();

  const preflightTo = (path: string, origin: string, method: string, headers?: string) =>
    preflight(server(), path, origin, method, headers);

  describe('preflights', () => {
    it('answers an allowed preflight with 204, an empty body and every preflight header', async () => {
      const res = await preflightTo('/greet', FRONTEND, 'POST', 'content-type');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(accessControlHeaders(res.headers)).toEqual({
        'access-control-allow-origin': FRONTEND,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'Content-Type',
        'access-control-max-age': '60',
      });
      expect(res.headers.vary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    });

    it('compares requested header names case-insensitively, in a list with optional spaces', async () => {
      await expectCors(running.app())
        .preflight('/greet', { origin: FRONTEND, method: 'POST', headers: [' Content-Type '] })
        .toBeAllowed();
    });

    it.each([
      ['an unlisted origin', EVIL, 'POST', 'content-type'],
      ['a method outside the policy', FRONTEND, 'DELETE', undefined],
      ['a header outside the policy', FRONTEND, 'POST', 'content-type, x-evil'],
      ['authorization', FRONTEND, 'POST', 'authorization'],
      ['the literal null origin', 'null', 'POST', undefined],
      ['a scheme downgrade of a listed origin', 'https://localhost:1234', 'POST', undefined],
    ])('refuses %s with 403 and no Access-Control-* header', async (_label, origin, method, headers) => {
      const res = await preflightTo('/greet', origin, method, headers);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'Cross-origin request not allowed' });
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(res.headers.vary).toContain('Origin');
    });

    it('uses the policy of the handler that serves the requested method', async () => {
      const res = await preflightTo('/greet/languages', EVIL, 'GET');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('answers before any handler: a @Post()-only path never 404s a preflight', async () => {
      await expectCors(running.app()).preflight('/greet/', { origin: FRONTEND, method: 'POST' }).toBeAllowed();
    });

    it('gives an OPTIONS without Origin no CORS headers', async () => {
      const res = await request(server()).options('/greet').set('Access-Control-Request-Method', 'POST');
      expect(accessControlHeaders(res.headers)).toEqual({});
    });

    it('gives a preflight for a path without policy no CORS headers', async () => {
      const res = await preflightTo('/health', FRONTEND, 'GET');
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(res.status).toBe(404);
    });
  });

  describe('actual requests', () => {
    it('gives an allowed origin Allow-Origin, Expose-Headers and Vary: Origin', async () => {
      const res = await request(server()).post('/greet').set('Origin', FRONTEND).send({ name: 'Alice', lang: 'es' });
      expect(res.status).toBe(200);
      expect(accessControlHeaders(res.headers)).toEqual({
        'access-control-allow-origin': FRONTEND,
        'access-control-expose-headers': 'X-Request-Id',
      });
      expect(res.headers.vary).toBe('Origin');
    });

    it.each([EVIL, 'null', 'http://localhost:4321', 'http://localhost:1234.evil.com', `${FRONTEND}/`])(
      'never reflects %s, and still runs the handler (non-strict policy)',
      async (origin) => {
        const res = await request(server()).post('/greet').set('Origin', origin).send({ name: 'Alice' });
        expect(res.status).toBe(200);
        expect(answerOf(res).greeting).toBe('Hello, Alice!');
        expect(accessControlHeaders(res.headers)).toEqual({});
        expect(res.headers.vary).toBe('Origin');
      },
    );

    it('passes requests without Origin (curl) with Vary: Origin and no CORS headers', async () => {
      const res = await request(server()).post('/greet').send({ name: 'Alice' });
      expect(res.status).toBe(200);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(res.headers.vary).toBe('Origin');
    });

    it('passes same-origin requests without CORS headers', async () => {
      const host = '127.0.0.1:5000';
      const res = await request(server())
        .post('/greet')
        .set('Host', host)
        .set('Origin', `http://${host}`)
        .send({ name: 'A' });
      expect(res.status).toBe(200);
      expect(accessControlHeaders(res.headers)).toEqual({});
    });

    it("merges GET into the controller's policy for GET /greet, varying on Origin", async () => {
      const allowed = await request(server()).get('/greet?name=A').set('Origin', FRONTEND);
      const refused = await request(server()).get('/greet?name=A').set('Origin', EVIL);
      expect(allowed.headers['access-control-allow-origin']).toBe(FRONTEND);
      expect(allowed.headers['access-control-expose-headers']).toBe('X-Request-Id');
      expect(refused.status).toBe(200);
      expect(accessControlHeaders(refused.headers)).toEqual({});
      expect(refused.headers.vary).toBe('Origin');
    });

    it("answers the public route with '*' for any origin, without Vary", async () => {
      const res = await request(server()).get('/greet/languages').set('Origin', EVIL);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toBeUndefined();
    });

    it('gives /health no CORS headers at all', async () => {
      const res = await request(server()).get('/health').set('Origin', FRONTEND);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(res.headers.vary).toBeUndefined();
    });

    it('refuses two Origin headers even when both are allowed', async () => {
      const app = running.app();
      await app.listen(0, '127.0.0.1');
      const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
      // The public policy answers '*' whatever the origin; the frontend policy must refuse.
      expect((await withTwoOrigins(port, 'GET', '/greet/languages'))['access-control-allow-origin']).toBe('*');
      expect(await withTwoOrigins(port, 'POST', '/greet', '{"name":"A"}')).toEqual({});
    });
  });

  describe('errors carry the CORS headers of an allowed origin', () => {
    it.each<[string, () => request.Test, number]>([
      ['a validation error', () => request(server()).post('/greet').set('Origin', FRONTEND).send({ name: '' }), 400],
      [
        'an unsupported language',
        () => request(server()).post('/greet').set('Origin', FRONTEND).send({ name: 'A', lang: 'foo' }),
        400,
      ],
      [
        'malformed JSON (body parser)',
        () =>
          request(server())
            .post('/greet')
            .set('Origin', FRONTEND)
            .set('Content-Type', 'application/json')
            .send('{"name'),
        400,
      ],
      [
        'a body over 1 MB (body parser)',
        () =>
          request(server())
            .post('/greet')
            .set('Origin', FRONTEND)
            .send({ name: 'x'.repeat(1_100_000) }),
        413,
      ],
      [
        'a non-JSON body',
        () => request(server()).post('/greet').set('Origin', FRONTEND).set('Content-Type', 'text/plain').send('hi'),
        415,
      ],
    ])('%s', async (_label, send, status) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
      expect(res.headers['access-control-expose-headers']).toBe('X-Request-Id');
      expect(res.headers.vary).toBe('Origin');
    });

    it('but not for a disallowed origin', async () => {
      const res = await request(server())
        .post('/greet')
        .set('Origin', EVIL)
        .set('Content-Type', 'application/json')
        .send('{"name');
      expect(res.status).toBe(400);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(res.headers.vary).toBe('Origin');
    });
  });
});

describe('the CORS route table', () => {
  describe('of the greet service', () => {
    const running = useApp(() => startApp());

    it('holds exactly the routes the platform registered', () => {
      expect(tableRoutes(running.app())).toEqual(registeredRoutes(running.app()));
    });
  });

  it('builds the route table from the @Cors() metadata once', async () => {
    // Count every read of the @Cors() metadata, from start-up on: the decorator made with Reflector.createDecorator()
    // under the package's fixed metadata key.
    const read = Reflect.get(Reflector.prototype, 'get');
    let corsReads = 0;
    Reflector.prototype.get = function (this: Reflector, ...args: Parameters<Reflector['get']>) {
      if ((args[0] as { KEY?: unknown }).KEY === CORS_METADATA_KEY) corsReads += 1;
      return read.apply(this, args);
    } as Reflector['get'];
    let app: INestApplication | undefined;
    try {
      app = await startApp();
      const policies = app.get(CorsPolicies);
      const { routes } = policies.routeReport();
      expect(routes.map((r) => [r.method, r.path, r.policy?.name ?? null])).toEqual(
        expect.arrayContaining([
          ['POST', '/greet', 'frontend'],
          ['GET', '/greet/languages', 'public'],
          ['GET', '/greet', 'frontend + GreetController.greetByQuery'],
          ['GET', '/health', null],
        ]),
      );
      // At start-up: once per controller, once per handler and once per gateway class, no more.
      const controllers = new Set(routes.map((r) => r.handler?.split('.')[0]));
      const gateways = policies.routeReport().gateways;
      expect(gateways.length).toBe(1);
      expect(corsReads).toBe(controllers.size + routes.length + gateways.length);
      const atStartUp = corsReads;
      const server = app.getHttpServer() as App;
      for (let i = 0; i < 3; i += 1) {
        await preflight(server, '/greet', FRONTEND, 'POST', 'content-type');
        await request(server).post('/greet').set('Origin', FRONTEND).send({ name: 'A' });
        await request(server).get('/greet?name=A').set('Origin', EVIL);
        await request(server).get('/greet/languages').set('Origin', EVIL);
      }
      // Requests only look the table up: no metadata is read again, and the table says what it said.
      expect(corsReads).toBe(atStartUp);
      expect(policies.routeReport().routes).toEqual(routes);
    } finally {
      Reflector.prototype.get = read;
      await app?.close();
    }
  });
});

describe('CORS configured from the environment', () => {
  it('takes the allowlist from CORS_ALLOWED_ORIGINS, patterns included', async () => {
    const app = await startApp({ CORS_ALLOWED_ORIGINS: 'https://*.example.com' });
    const server = app.getHttpServer() as App;
    const allowed = async (origin: string) =>
      (await request(server).post('/greet').set('Origin', origin).send({ name: 'A' })).headers[
        'access-control-allow-origin'
      ];
    try {
      expect(await allowed('https://app.example.com')).toBe('https://app.example.com');
      expect(await allowed('https://a.b.example.com')).toBe('https://a.b.example.com');
      for (const origin of [
        'https://example.com',
        'https://example.com.evil.com',
        'https://evilexample.com',
        'http://app.example.com',
        FRONTEND,
      ]) {
        expect(await allowed(origin)).toBeUndefined();
      }
    } finally {
      await app.close();
    }
  });

  it('sends Allow-Credentials only with CORS_ALLOW_CREDENTIALS=true', async () => {
    const withCredentials = await startApp({ CORS_ALLOW_CREDENTIALS: 'true' });
    const without = await startApp();
    try {
      for (const [app, expected] of [
        [withCredentials, 'true'],
        [without, undefined],
      ] as const) {
        const server = app.getHttpServer() as App;
        const pre = await request(server)
          .options('/greet')
          .set('Origin', FRONTEND)
          .set('Access-Control-Request-Method', 'POST');
        const actual = await request(server).post('/greet').set('Origin', FRONTEND).send({ name: 'A' });
        expect(pre.headers['access-control-allow-credentials']).toBe(expected);
        expect(actual.headers['access-control-allow-credentials']).toBe(expected);
      }
      const publicRoute = await request(withCredentials.getHttpServer() as App)
        .get('/greet/languages')
        .set('Origin', FRONTEND);
      expect(publicRoute.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await withCredentials.close();
      await without.close();
    }
  });
});
