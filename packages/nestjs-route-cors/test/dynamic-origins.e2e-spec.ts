/**
 * Issue 17: origins decided by the application's predicate (a tenant
 * database) can never hang the service, are asked once per origin at a time,
 * may be cached, and a named policy can be replaced at run time.
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { CorsConfigurationError, CorsPolicies, formatRouteReport } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import { preflight, REFUSAL_BODY, useApp } from '../../../test/support/fixture-app.js';
import {
  DEADLINE_MS,
  HANGING,
  LISTED,
  NEW_TENANT,
  NONSENSE,
  observed,
  REGISTERED,
  REJECTING,
  SLOW,
  startDynamicOriginsApp,
  TENANTS,
  THROWING,
  VERSION_ONE,
  VERSION_TWO,
} from './fixtures/dynamic-origins.fixture.js';

describe('origins from a predicate', () => {
  const running = useApp(startDynamicOriginsApp);
  const server = (): App => running.server();
  beforeEach(() => observed.reset());

  describe('a predicate that never answers', () => {
    it('refuses the preflight once the deadline has passed, with its own code and a warning', async () => {
      const res = await preflight(server(), '/tenant', HANGING, 'POST', 'content-type');
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(observed.rejections.map((event) => event.rejection.code)).toEqual(['origin-predicate-timeout']);
      expect(observed.warnings.join('\n')).toContain(`did not answer within ${DEADLINE_MS} ms`);
    });

    it('answers the actual request, without Access-Control-* headers', async () => {
      const res = await request(server()).get('/tenant').set('Origin', HANGING);
      expect(res.status).toBe(200);
      expect(res.text).toBe('read');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it.each([
    [THROWING, 'tenant database down'],
    [REJECTING, 'tenant database unreachable'],
    [NONSENSE, 'originPredicate answered string, not a boolean'],
  ])('refuses %s without a 500, reports and logs why', async (origin, why) => {
    const res = await preflight(server(), '/tenant', origin, 'POST', 'content-type');
    expect(res.status).toBe(403);
    expect(res.body).toEqual(REFUSAL_BODY);
    const actual = await request(server()).get('/tenant').set('Origin', origin);
    expect(actual.status).toBe(200);
    expect(actual.headers['access-control-allow-origin']).toBeUndefined();
    expect(observed.rejections.map((event) => event.rejection.code)).toEqual([
      'origin-predicate-failed',
      'origin-predicate-failed',
    ]);
    expect(observed.warnings.filter((line) => line.includes(why))).toHaveLength(2);
  });

  it('asks a slow predicate once for 200 concurrent requests from one origin', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => request(server()).get('/patient').set('Origin', SLOW)),
    );
    expect(observed.calls.get(SLOW)).toBe(1);
    expect(answers.map((res) => res.headers['access-control-allow-origin'])).toEqual(
      Array.from({ length: 200 }, () => SLOW),
    );
  });

  it('allows a registered tenant and refuses an unknown one', async () => {
    await expectCors(running.app())
      .preflight('/tenant', { origin: REGISTERED, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    await expectCors(running.app())
      .preflight('/tenant', { origin: 'https://unknown.example', method: 'POST' })
      .toBeRefused();
  });

  describe('with a cache', () => {
    it('asks once per origin within the TTL, and counts hits and misses', async () => {
      const policies = running.app().get(CorsPolicies);
      const before = policies.predicateCacheStats('cached');
      for (let i = 0; i < 3; i += 1) {
        const res = await request(server()).get('/cached').set('Origin', 'https://a.tenant.example');
        expect(res.headers['access-control-allow-origin']).toBe('https://a.tenant.example');
      }
      await request(server()).get('/cached').set('Origin', 'https://b.tenant.example');
      expect(observed.calls.get('https://a.tenant.example')).toBe(1);
      expect(policies.predicateCacheStats('cached')).toEqual({
        hits: (before?.hits ?? 0) + 2,
        misses: (before?.misses ?? 0) + 2,
        size: (before?.size ?? 0) + 2,
      });
      expect(policies.predicateCacheStats('tenants')).toBeUndefined();
    });

    it('never keeps a failure, though it keeps refusals: a throwing origin is asked again', async () => {
      await request(server()).get('/cached').set('Origin', 'https://unknown.example');
      await request(server()).get('/cached').set('Origin', 'https://unknown.example');
      expect(observed.calls.get('https://unknown.example')).toBe(1);
      await request(server()).get('/cached').set('Origin', THROWING);
      await request(server()).get('/cached').set('Origin', THROWING);
      expect(observed.calls.get(THROWING)).toBe(2);
    });
  });
});

describe('replacing a named policy at run time', () => {
  const running = useApp(startDynamicOriginsApp);
  const server = (): App => running.server();

  it('allows the new origin at once, in the route table and in explanations too', async () => {
    const policies = running.app().get(CorsPolicies);
    const cors = expectCors(running.app());
    await cors.preflight('/tenant', { origin: NEW_TENANT, method: 'POST' }).toBeRefused();
    policies.replace('tenants', { ...TENANTS, origins: [LISTED, NEW_TENANT] });
    await cors.preflight('/tenant', { origin: NEW_TENANT, method: 'POST', headers: ['content-type'] }).toBeAllowed();
    expect(formatRouteReport(policies.routeReport())).toContain(`${LISTED},${NEW_TENANT} +predicate`);
    const explained = await policies.explain({
      origin: NEW_TENANT,
      method: 'POST',
      path: '/tenant',
      headers: [{ name: 'content-type' }],
      credentials: false,
    });
    expect(explained.allowed).toBe(true);
  });

  it('refuses an invalid update with every problem named, and keeps the current policy', async () => {
    const policies = running.app().get(CorsPolicies);
    const update = () => policies.replace('swapping', { origins: ['https://ok.example/', '*'], maxAge: -1 });
    expect(update).toThrow(CorsConfigurationError);
    expect(update).toThrow(/has a trailing slash.*'\*' must stand alone.*maxAge -1/s);
    expect(() => policies.replace('nope', VERSION_ONE)).toThrow(
      "no policy named 'nope' to replace (known: tenants, patient, cached, swapping)",
    );
    const res = await preflight(server(), '/swapping', LISTED, 'GET', 'x-one');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-max-age']).toBe('100');
  });

  it('under load, every answer is the old policy or the new one, never a mix', async () => {
    const policies = running.app().get(CorsPolicies);
    const seen = new Set<string>();
    let swaps = 0;
    const swapping = setInterval(() => {
      swaps += 1;
      policies.replace('swapping', swaps % 2 === 0 ? VERSION_ONE : VERSION_TWO);
    }, 2);
    try {
      for (let round = 0; round < 10; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 40 }, () => preflight(server(), '/swapping', LISTED, 'GET')),
        );
        for (const res of answers) {
          seen.add(
            [
              res.status,
              res.headers['access-control-allow-methods'],
              res.headers['access-control-allow-headers'],
              res.headers['access-control-max-age'],
            ].join(' | '),
          );
        }
      }
    } finally {
      clearInterval(swapping);
    }
    expect(swaps).toBeGreaterThan(10);
    expect([...seen].sort()).toEqual(['204 | GET, HEAD | X-One | 100', '204 | GET, HEAD, PUT | X-Two | 200']);
  });
});

describe('warnings of a failing predicate', () => {
  const running = useApp(() => startDynamicOriginsApp({}));
  beforeEach(() => observed.reset());

  it('are one per policy and failure in 10 s (by default): an outage does not flood the log', async () => {
    for (let i = 0; i < 30; i += 1) {
      await request(running.server()).get('/tenant').set('Origin', THROWING);
    }
    expect(observed.rejections).toHaveLength(30);
    expect(observed.warnings.filter((line) => line.includes('tenant database down'))).toHaveLength(1);
  });
});
