/**
 * The CORS module's features beyond the greet service (issue 9): auth guards,
 * merge and opt-out, strict mode, origin predicates, Vary, onReject.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { ALLOWED, FixtureModule, observed, PARTNER } from './fixtures/fixture.module.js';
import { accessControlHeaders } from '../../../test/support/cors-headers.js';
import { preflight, REFUSAL_BODY, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';

const EVIL = 'https://evil.com';

describe('CORS module features (fixture app)', () => {
  const running = useApp(() => startFixtureApp(FixtureModule));
  const server = (): App => running.server();
  beforeEach(() => observed.reset());

  const preflightTo = (path: string, origin: string, method: string, headers?: string) =>
    preflight(server(), path, origin, method, headers);

  describe('an allowed preflight', () => {
    // Some Safari versions wait for a body when a 204 does not say it has none.
    it('ends with 204 and an explicit empty body: Content-Length: 0', async () => {
      const res = await preflightTo('/items/7', ALLOWED, 'GET');
      expect([res.status, res.headers['content-length'], res.text]).toEqual([204, '0', '']);
    });
  });

  describe('with a global auth guard', () => {
    it('answers preflights before any other guard, without credentials', async () => {
      const res = await preflightTo('/account/profile', ALLOWED, 'POST', 'authorization, content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });

    it("gives the auth guard's 401 the CORS headers, so the page can read it", async () => {
      const res = await request(server()).post('/account/profile').set('Origin', ALLOWED).send({});
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toBe('Origin');
    });

    it('does not give a disallowed origin the headers of the 401', async () => {
      const res = await request(server()).post('/account/profile').set('Origin', EVIL).send({});
      expect(res.status).toBe(401);
      expect(accessControlHeaders(res.headers)).toEqual({});
    });

    it('passes an authenticated request', async () => {
      const res = await request(server())
        .post('/account/profile')
        .set('Origin', ALLOWED)
        .set('Authorization', 'Bearer secret')
        .send({});
      expect(res.status).toBe(201);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    });
  });

  describe('errors inside a CORS route', () => {
    it('a 404 thrown by the handler keeps its message and the CORS headers', async () => {
      const res = await request(server()).get('/faults/missing').set('Origin', ALLOWED);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, message: 'Item not found', error: 'Not Found' });
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it('a 500 says only "Internal server error" and carries the CORS headers', async () => {
      const res = await request(server()).get('/faults/boom').set('Origin', ALLOWED);
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ statusCode: 500, message: 'Internal server error' });
      expect(res.text).not.toContain('secret');
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it('keeps Origin in Vary when a later layer adds its own', async () => {
      const res = await request(server()).get('/faults/vary').set('Origin', ALLOWED);
      expect(res.headers.vary).toBe('Origin, Accept-Encoding');
    });
  });

  describe('handler policies', () => {
    it("inherits the controller's policy", async () => {
      const res = await preflightTo('/items/7', ALLOWED, 'GET');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, PUT');
      expect(res.headers['access-control-max-age']).toBe('600');
    });

    it("merges when asked: lists united, the handler's scalars win", async () => {
      const res = await preflightTo('/items/7', ALLOWED, 'PUT', 'content-type, x-trace');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-headers']).toBe('Content-Type, X-Trace');
      expect(res.headers['access-control-max-age']).toBe('5');
      const actual = await request(server()).put('/items/7').set('Origin', ALLOWED);
      expect(actual.headers['access-control-expose-headers']).toBe('X-Trace');
    });

    it('lets a handler opt out: its preflight is refused and its answers carry no CORS headers', async () => {
      const pre = await preflightTo('/items/7', ALLOWED, 'DELETE');
      expect(pre.status).toBe(403);
      expect(accessControlHeaders(pre.headers)).toEqual({});
      const actual = await request(server()).delete('/items/7').set('Origin', ALLOWED);
      expect(actual.status).toBe(200);
      expect(accessControlHeaders(actual.headers)).toEqual({});
    });

    it('refuses a preflight for a method no handler serves at the path', async () => {
      const res = await preflightTo('/items/7', ALLOWED, 'PATCH');
      expect(res.status).toBe(403);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(observed.rejections[0]?.rejection.code).toBe('method-not-served');
    });
  });

  describe('strict policies', () => {
    it('refuse a disallowed origin with 403 JSON before the handler runs', async () => {
      const res = await request(server()).post('/bank/transfer').set('Origin', EVIL).send({});
      expect(res.status).toBe(403);
      expect(res.body).toEqual(REFUSAL_BODY);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(observed.transfers).toBe(0);
    });

    it('refuse before the body is parsed: a malformed body from a disallowed origin is a 403, not a 400', async () => {
      const res = await request(server())
        .post('/bank/transfer')
        .set('Origin', EVIL)
        .set('Content-Type', 'application/json')
        .send('{"amount": ');
      expect(res.status).toBe(403);
      expect(res.body).toEqual(REFUSAL_BODY);
      expect(observed.transfers).toBe(0);
    });

    it('let allowed, same-origin and Origin-less requests through', async () => {
      const allowed = await request(server()).post('/bank/transfer').set('Origin', ALLOWED).send({});
      const sameOrigin = await request(server())
        .post('/bank/transfer')
        .set('Host', 'bank.test:8443')
        .set('Origin', 'http://bank.test:8443')
        .send({});
      const curl = await request(server()).post('/bank/transfer').send({});
      expect(allowed.status).toBe(201);
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(sameOrigin.status).toBe(201);
      expect(accessControlHeaders(sameOrigin.headers)).toEqual({});
      expect(curl.status).toBe(201);
      expect(observed.transfers).toBe(3);
    });

    // Same-origin means the whole origin: scheme, host and port of the request itself (Fetch §3.2.1).
    it.each([
      ['another port', 'http://bank.test:8444'],
      ['another scheme', 'https://bank.test:8443'],
      ['no port', 'http://bank.test'],
      ['another host', 'http://other.test:8443'],
      ['a longer host', 'http://bank.test.evil.com:8443'],
    ])('refuse an origin that differs from the request by %s', async (_label, origin) => {
      const res = await request(server())
        .post('/bank/transfer')
        .set('Host', 'bank.test:8443')
        .set('Origin', origin)
        .send({});
      expect(res.status).toBe(403);
      expect(observed.transfers).toBe(0);
    });
  });

  describe('origin predicates', () => {
    it('allow what the predicate accepts, after the list', async () => {
      const partner = await request(server()).get('/partner').set('Origin', PARTNER);
      const listed = await request(server()).get('/partner').set('Origin', ALLOWED);
      expect(partner.headers['access-control-allow-origin']).toBe(PARTNER);
      expect(listed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(observed.predicateCalls).toBe(1);
    });

    it('refuse, never 500, when the predicate throws, and report why', async () => {
      const res = await request(server()).get('/partner').set('Origin', 'https://broken.example.net');
      expect(res.status).toBe(200);
      expect(accessControlHeaders(res.headers)).toEqual({});
      expect(observed.rejections[0]?.reason).toContain('partner lookup failed');
      const pre = await preflightTo('/partner', 'https://broken.example.net', 'GET');
      expect(pre.status).toBe(403);
    });
  });

  describe('onReject', () => {
    it('reports each refusal once with the policy, route and reason', async () => {
      await preflightTo('/account/profile', ALLOWED, 'POST', 'x-evil');
      await request(server()).post('/bank/transfer').set('Origin', EVIL).send({});
      expect(observed.rejections.map((e) => [e.kind, e.policy, e.method, e.path, e.rejection.code])).toEqual([
        ['preflight', 'frontend', 'OPTIONS', '/account/profile', 'header-not-allowed'],
        ['actual', 'strict', 'POST', '/bank/transfer', 'origin-not-allowed'],
      ]);
      expect(observed.rejections[0]?.reason).toBe(
        `header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type, Authorization)`,
      );
    });

    it('is not called for allowed requests', async () => {
      await preflightTo('/account/profile', ALLOWED, 'POST');
      await request(server()).get('/partner').set('Origin', ALLOWED);
      expect(observed.rejections).toEqual([]);
    });
  });
});

/**
 * Behind a reverse proxy the request's scheme is the one the proxy says
 * (`X-Forwarded-Proto`), but only when the proxy is trusted (Express's
 * `trust proxy`, Fastify's `trustProxy`):
 * it decides what counts as same-origin on a strict route.
 */
describe('same-origin behind a proxy trusting loopback', () => {
  const trustProxy = 'loopback';
  /** A peer that is not loopback: this machine's own external address, when it has one. */
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
  // Without an external address, an untrusted peer is a loopback client of a service trusting only 10.0.0.0/8.
  const running = useApp(async () => {
    const app = await startFixtureApp(FixtureModule, { trustProxy });
    await app.listen(0, '0.0.0.0');
    return app;
  });
  const untrusting = useApp(async () => {
    const app = await startFixtureApp(FixtureModule, {
      trustProxy: external === undefined ? '10.0.0.0/8' : trustProxy,
    });
    await app.listen(0, '0.0.0.0');
    return app;
  });
  const urlOf = (app: INestApplication, address: string) =>
    `http://${address}:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
  beforeEach(() => observed.reset());

  const transfer = (base: string, origin: string) =>
    request(base)
      .post('/bank/transfer')
      .set('Host', 'api.test')
      .set('X-Forwarded-Proto', 'https')
      .set('Origin', origin)
      .send({});

  it("takes the scheme from a trusted proxy's X-Forwarded-Proto: https://<Host> passes, http://<Host> is refused", async () => {
    const base = urlOf(running.app(), '127.0.0.1');
    expect((await transfer(base, 'https://api.test')).status).toBe(201);
    expect((await transfer(base, 'http://api.test')).status).toBe(403);
    expect(observed.transfers).toBe(1);
  });

  it('ignores X-Forwarded-Proto from an untrusted peer: http://<Host> passes, https://<Host> is refused', async () => {
    const base = urlOf(untrusting.app(), external ?? '127.0.0.1');
    expect((await transfer(base, 'http://api.test')).status).toBe(201);
    expect((await transfer(base, 'https://api.test')).status).toBe(403);
    expect(observed.transfers).toBe(1);
  });
});
