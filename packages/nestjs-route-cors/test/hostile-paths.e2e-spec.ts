/**
 * Paths as the server behind the rule reads them (issue 30): nested rules
 * over static files, whose server decodes and normalises the path. The most
 * specific rule wins whatever the order of `paths`, and a path that reads
 * as another rule's (`//`, `%70`, `%2F`, `./`, `x/../`, `%2e`) gets no CORS
 * at all. Requests are sent raw: no client normalises their path.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { CorsPolicies } from 'nestjs-route-cors';
import { ADMIN, EVIL, FRONT, PORTAL, startNestedRulesApp } from './fixtures/hostile-paths.fixture.js';
import { ON_FASTIFY } from '../../../test/support/fixture-app.js';
import { sendRaw } from '../../../test/support/raw-http.js';

let app: INestApplication;
let port: number;

beforeAll(async () => {
  app = await startNestedRulesApp();
  await app.listen(0, '127.0.0.1');
  port = ((app.getHttpServer() as Server).address() as AddressInfo).port;
});
afterAll(() => app?.close());

const get = (target: string, origin: string, method = 'GET') => sendRaw(port, method, target, { Origin: origin });

describe('the most specific path rule wins, whatever the order of paths', () => {
  it("gives the broad public rule's * to files outside the narrower rule", async () => {
    const res = await get('/assets/public.txt', EVIL);
    expect(res.body).toBe('public asset\n');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it("gives the narrower rule's policy to its files, though the broad rule is listed first", async () => {
    const refused = await get('/assets/private/secret.txt', EVIL);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    const allowed = await get('/assets/private/secret.txt', PORTAL);
    expect(allowed.body).toBe('private secret\n');
    expect(allowed.headers['access-control-allow-origin']).toBe(PORTAL);
  });

  it('keeps the credentials of the narrower rule to its own origin', async () => {
    const admin = await get('/console/admin/panel.txt', ADMIN);
    expect(admin.headers['access-control-allow-origin']).toBe(ADMIN);
    expect(admin.headers['access-control-allow-credentials']).toBe('true');
    expect((await get('/console/admin/panel.txt', FRONT)).headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('a path that reads as a narrower rule once normalised gets no CORS', () => {
  const PRIVATE_SPELLINGS = [
    ['a doubled slash', '/assets//private/secret.txt'],
    ['a percent-encoded letter', '/assets/%70rivate/secret.txt'],
    ['a percent-encoded slash', '/assets/private%2Fsecret.txt'],
    ['a dot segment', '/assets/./private/secret.txt'],
    ['a dot-dot segment', '/assets/x/../private/secret.txt'],
    ['a percent-encoded dot segment', '/assets/%2e/private/secret.txt'],
    ['an encoded dot-dot segment', '/assets/x/%2E%2E/private/secret.txt'],
  ];

  it.each(PRIVATE_SPELLINGS)(
    'withholds Access-Control-Allow-Origin from a refused origin for %s (GET)',
    async (_spelling, target) => {
      expect((await get(target, EVIL)).headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it.each(PRIVATE_SPELLINGS)('withholds it for %s (HEAD)', async (_spelling, target) => {
    expect((await get(target, EVIL, 'HEAD')).headers['access-control-allow-origin']).toBeUndefined();
  });

  // Fastify's router decodes `%70` itself: there that path has one reading, the narrower rule's.
  const AMBIGUOUS_SPELLINGS = PRIVATE_SPELLINGS.filter(
    ([spelling]) => !ON_FASTIFY || spelling !== 'a percent-encoded letter',
  );

  it.each(AMBIGUOUS_SPELLINGS)(
    "withholds it from the narrower rule's own origin too, for %s: the path has no one reading",
    async (_spelling, target) => {
      expect((await get(target, PORTAL)).headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it.each([
    ['a doubled slash', '/console//admin/panel.txt'],
    ['a dot segment', '/console/./admin/panel.txt'],
    ['a percent-encoded slash', '/console/admin%2Fpanel.txt'],
  ])("gives the front end's credentials to no admin file by %s", async (_spelling, target) => {
    const res = await get(target, FRONT);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('refuses the preflight of such a path with 403', async () => {
    const res = await sendRaw(port, 'OPTIONS', '/assets//private/secret.txt', {
      Origin: PORTAL,
      'Access-Control-Request-Method': 'GET',
    });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("keeps the answers of paths whose readings agree (an escaped letter within one rule's files)", async () => {
    const res = await get('/assets/publi%63.txt', EVIL);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('says why in explain()', async () => {
    const explained = await app
      .get(CorsPolicies)
      .explain({ origin: PORTAL, method: 'GET', path: '/assets//private/secret.txt', headers: [], credentials: false });
    expect(explained.allowed).toBe(false);
    expect(explained.verdict).toBe(
      `refused: the path "/assets//private/secret.txt" reads as "/assets/private/secret.txt" to a server that normalises it, and the readings have different CORS policies ('public', 'portal'), so it gets none`,
    );
  });
});

describe('a path too long to read every way', () => {
  const long = `/assets/private/${'a'.repeat(3_000)}`;

  it('gets no CORS, and its preflight is refused', async () => {
    expect((await get(long, PORTAL)).headers['access-control-allow-origin']).toBeUndefined();
    expect(
      (await sendRaw(port, 'OPTIONS', long, { Origin: PORTAL, 'Access-Control-Request-Method': 'GET' })).status,
    ).toBe(403);
  });

  it('is measured without its query: a long query keeps its answer', async () => {
    expect((await get(`/assets/public.txt?q=${'x'.repeat(3_000)}`, EVIL)).headers['access-control-allow-origin']).toBe(
      '*',
    );
  });

  it('says why in explain()', async () => {
    const explained = await app
      .get(CorsPolicies)
      .explain({ origin: PORTAL, method: 'GET', path: long, headers: [], credentials: false });
    expect(explained.verdict).toMatch(
      /^refused: the path is \d+ characters long, over the 2048 that are read every way a server behind a path rule may read them, so it gets no CORS$/,
    );
  });
});
