/**
 * @Cors() with Nest 12's own security features (issue 26): CSRF protection
 * that trusts what the route's policy allows, Cross-Origin-Resource-Policy
 * and Timing-Allow-Origin from the policy, a preflight cache longer than
 * browsers keep, and a shared Fastify request-hook slot.
 */
import type { INestApplication } from '@nestjs/common';
import { CorsPolicies } from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { HTTP_ADAPTER, preflight, useApp } from '../../../test/support/fixture-app.js';
import {
  CACHED_ORIGIN,
  EVIL,
  LISTED,
  PATTERN_ORIGIN,
  PREDICATE_ORIGIN,
  slotUsers,
  startSecurityFeaturesApp,
} from './fixtures/security-features.fixture.js';

/** A cross-site state-changing request as a browser sends it: Nest's CSRF check reads Sec-Fetch-Site. */
function crossSitePost(server: App, path: string, origin: string): request.Test {
  return request(server).post(path).set('Origin', origin).set('Sec-Fetch-Site', 'cross-site').send({});
}

describe.each([
  ['CSRF protection enabled first', ['csrf', 'headers'] as const],
  ['security headers enabled first', ['headers', 'csrf'] as const],
])('CSRF protection with allowedByCors (%s)', (_order, features) => {
  const running = useApp(() => startSecurityFeaturesApp({ features }));
  const server = (): App => running.server();

  it.each([
    ['a listed origin', LISTED],
    ['an origin a pattern allows', PATTERN_ORIGIN],
    ['an origin an asynchronous predicate allows', PREDICATE_ORIGIN],
  ])('lets through a cross-site POST from %s, with its CORS headers', async (_kind, origin) => {
    const res = await crossSitePost(server(), '/orders', origin);
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(origin);
  });

  it('lets through an origin a cached predicate allows, on the first request and from the cache', async () => {
    for (let i = 0; i < 2; i += 1) {
      const res = await crossSitePost(server(), '/cached', CACHED_ORIGIN);
      expect(res.status).toBe(201);
    }
    expect(running.app().get(CorsPolicies).predicateCacheStats('cached')).toMatchObject({ hits: 1, misses: 1 });
  });

  it("refuses with Nest's 403 an origin the route's policy refuses", async () => {
    const res = await crossSitePost(server(), '/orders', EVIL);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("refuses a cookie-bearing request where the policy does not allow credentials: that origin was never given the user's session", async () => {
    const res = await crossSitePost(server(), '/orders', LISTED).set('Cookie', 'session=abc');
    expect(res.status).toBe(403);
  });

  it('lets through a cookie-bearing request where the policy allows credentials', async () => {
    const res = await crossSitePost(server(), '/account', LISTED).set('Cookie', 'session=abc');
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
  });

  it('refuses a route without a policy, even from an origin other routes allow', async () => {
    expect((await crossSitePost(server(), '/plain', LISTED)).status).toBe(403);
  });

  it("refuses a public ('*') route: public data never makes a state-changing request trusted", async () => {
    const res = await crossSitePost(server(), '/public', LISTED);
    expect(res.status).toBe(403);
  });

  it('lets through same-origin requests and requests that change nothing, as without CORS', async () => {
    expect((await request(server()).post('/plain').set('Sec-Fetch-Site', 'same-origin').send({})).status).toBe(201);
    expect((await request(server()).get('/plain').set('Origin', EVIL).set('Sec-Fetch-Site', 'cross-site')).status).toBe(
      200,
    );
  });

  it('still answers preflights first (the CSRF check lets OPTIONS through)', async () => {
    const res = await preflight(server(), '/orders', LISTED, 'POST', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
  });

  it('says in explain() whether the protection exempts a request', async () => {
    const policies = running.app().get(CorsPolicies);
    const input = { method: 'POST', path: '/orders', headers: [{ name: 'content-type' }], credentials: false };
    expect((await policies.explain({ ...input, origin: LISTED })).csrfExempt).toBe(true);
    expect((await policies.explain({ ...input, origin: EVIL })).csrfExempt).toBe(false);
    expect((await policies.explain({ ...input, origin: LISTED, path: '/public' })).csrfExempt).toBe(false);
    expect((await policies.explain({ ...input, origin: LISTED, credentials: true, path: '/account' })).csrfExempt).toBe(
      true,
    );
    // A credentialed request to a policy without credentials is refused by CORS already; it is not exempt either.
    expect((await policies.explain({ ...input, origin: LISTED, credentials: true })).csrfExempt).toBe(false);
  });
});

describe.each([
  ['with security headers', ['headers'] as const, 'same-origin'],
  ['with security headers and CSRF protection', ['csrf', 'headers'] as const, 'same-origin'],
  ['without security headers', [] as const, undefined],
])('Cross-Origin-Resource-Policy from the policy (%s)', (_setting, features, appDefault) => {
  const running = useApp(() => startSecurityFeaturesApp({ features }));
  const corp = async (path: string, origin?: string): Promise<string | undefined> => {
    const test = request(running.server()).get(path);
    const res = await (origin === undefined ? test : test.set('Origin', origin));
    return res.headers['cross-origin-resource-policy'];
  };

  it("makes a public ('*') route's answers embeddable by any site, with or without Origin", async () => {
    expect(await corp('/public/image')).toBe('cross-origin');
    expect(await corp('/public/image', EVIL)).toBe('cross-origin');
  });

  it('sets the value a policy declares', async () => {
    expect(await corp('/site')).toBe('same-site');
  });

  it("leaves the application's own header on routes whose policy says nothing, and on routes without a policy", async () => {
    expect(await corp('/orders', LISTED)).toBe(appDefault);
    expect(await corp('/plain')).toBe(appDefault);
  });
});

describe("answers the CORS hook ends itself carry the application's security headers", () => {
  const running = useApp(() => startSecurityFeaturesApp({ features: ['headers'] }));
  /** What useSecurityHeaders() sets on every answer that goes on, but Cross-Origin-Resource-Policy, which a policy may set. */
  let appHeaders: Array<[string, string]>;

  beforeAll(async () => {
    const ordinary = await request(running.server()).get('/plain');
    appHeaders = [
      'x-content-type-options',
      'strict-transport-security',
      'x-frame-options',
      'content-security-policy',
      'referrer-policy',
    ].map((name) => [name, String(ordinary.headers[name])]);
    expect(appHeaders.map(([, value]) => value)).not.toContain('undefined');
  });

  const expectAppHeaders = (res: request.Response): void => {
    for (const [name, value] of appHeaders) expect([name, res.headers[name]]).toEqual([name, value]);
  };

  it('on an allowed preflight (204), with the app’s Cross-Origin-Resource-Policy where the policy sets none', async () => {
    const res = await preflight(running.server(), '/orders', LISTED, 'POST', 'content-type');
    expect(res.status).toBe(204);
    expectAppHeaders(res);
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  });

  it('on a refused preflight (403)', async () => {
    const res = await preflight(running.server(), '/orders', EVIL, 'POST', 'content-type');
    expect(res.status).toBe(403);
    expectAppHeaders(res);
  });

  it('on a request a strict policy refuses (403)', async () => {
    const res = await request(running.server()).post('/strict').set('Origin', EVIL).send({});
    expect(res.status).toBe(403);
    expectAppHeaders(res);
  });

  it("with the policy's Cross-Origin-Resource-Policy where it sets one", async () => {
    const res = await preflight(running.server(), '/public', EVIL, 'POST');
    expect(res.status).toBe(204);
    expectAppHeaders(res);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
  });
});

describe('a method changed after the CORS decision (method override)', () => {
  const running = useApp(() => startSecurityFeaturesApp({ features: ['csrf', 'headers'], methodOverride: true }));
  const overridden = (secFetchSite: string): request.Test =>
    request(running.server())
      .post('/items?_method=DELETE')
      .set('Origin', LISTED)
      .set('Sec-Fetch-Site', secFetchSite)
      .send({});

  it('keeps the answer of the method decided readable, as a control', async () => {
    const res = await request(running.server()).post('/items').set('Origin', LISTED).send({});
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
  });

  // Express routes after the middleware: the DELETE handler answers. Fastify routed the POST before any middleware ran.
  const served =
    HTTP_ADAPTER === 'express'
      ? { body: { deleted: true }, allowOrigin: undefined }
      : { body: { created: true }, allowOrigin: LISTED };

  it("gives another handler's answer none of the first method's CORS headers", async () => {
    const res = await overridden('same-origin');
    expect(res.body).toEqual(served.body);
    expect(res.headers['access-control-allow-origin']).toBe(served.allowOrigin);
    // The policy sends Timing-Allow-Origin with the same value.
    expect(res.headers['timing-allow-origin']).toBe(served.allowOrigin);
  });

  (HTTP_ADAPTER === 'express' ? it : it.skip)(
    'is not exempt from CSRF protection under the first method’s policy (Express only: on Fastify the check runs before middleware)',
    async () => {
      const res = await overridden('cross-site');
      expect(res.status).toBe(403);
      expect(res.body).not.toEqual({ deleted: true });
    },
  );
});

describe('Timing-Allow-Origin from the policy', () => {
  const running = useApp(() => startSecurityFeaturesApp());
  const get = (path: string, origin: string) => request(running.server()).get(path).set('Origin', origin);

  it('equals Access-Control-Allow-Origin on an allowed answer, and varies by Origin as it does', async () => {
    const res = await get('/orders', LISTED);
    expect(res.headers['timing-allow-origin']).toBe(LISTED);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
    expect(res.headers.vary).toMatch(/\bOrigin\b/);
  });

  it("is '*' on a public policy", async () => {
    expect((await get('/public/image', EVIL)).headers['timing-allow-origin']).toBe('*');
  });

  it('is never sent on a refused answer, nor where the policy does not ask for it', async () => {
    expect((await get('/orders', EVIL)).headers['timing-allow-origin']).toBeUndefined();
    expect((await get('/site', LISTED)).headers['timing-allow-origin']).toBeUndefined();
  });
});

describe('a preflight cache longer than browsers keep', () => {
  it("is one start-up warning per policy past Chromium's cap (7200 s), naming the policy and the browsers' caps", async () => {
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      error: () => undefined,
      warn: (message: string) => void warnings.push(message),
    };
    const app = await startSecurityFeaturesApp({ logger });
    await app.close();
    expect(warnings.filter((line) => line.includes('maxAge'))).toEqual([
      "policy 'longCache' has maxAge 86400, but browsers keep a preflight at most 7200 s (Chromium) and 600 s (WebKit); only Firefox keeps it up to 86400 s",
      "policy 'pastChromiumCapCache' has maxAge 7201, but browsers keep a preflight at most 7200 s (Chromium) and 600 s (WebKit); only Firefox keeps it up to 86400 s",
    ]);
  });
});

/** Express has no request-hook slot the module uses: the CORS hook is its first middleware there. */
const onFastify = HTTP_ADAPTER === 'fastify' ? describe : describe.skip;

onFastify.each([
  ['a hook set on the adapter before NestFactory.create()', { slotUserBefore: true }, 'before'],
  ['a hook set in onModuleInit, as @nestjs/observe does', { slotUserAfter: true }, 'observe'],
])("Fastify's request-hook slot shared with %s (Fastify only)", (_who, options, name) => {
  let app: INestApplication | undefined;
  beforeAll(async () => {
    slotUsers.length = 0;
    app = await startSecurityFeaturesApp({ ...options, features: ['csrf'] });
  });
  afterAll(() => app?.close());
  const server = (): App => app?.getHttpServer() as App;

  it('runs the other hook right after the CORS hook, on every request that goes on', async () => {
    const res = await request(server()).get('/orders').set('Origin', LISTED);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(LISTED);
    expect(slotUsers).toEqual([`${name} GET /orders after-cors=true`]);
  });

  it('still answers preflights before middleware, guards and handlers', async () => {
    slotUsers.length = 0;
    const res = await preflight(server(), '/orders', LISTED, 'POST', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['content-length']).toBe('0');
    expect(slotUsers).toEqual([]);
  });

  it('keeps CSRF protection trusting the policy', async () => {
    expect((await crossSitePost(server(), '/orders', LISTED)).status).toBe(201);
    expect((await crossSitePost(server(), '/orders', EVIL)).status).toBe(403);
  });
});
