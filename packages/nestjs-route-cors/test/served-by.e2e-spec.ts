/**
 * A path rule and a controller route that can match the same path (issue
 * 30): the request gets the policy of the handler the server really runs,
 * in the router's real order, and start-up stops where the module cannot
 * tell which runs.
 */
import request from 'supertest';
import { CorsConfigurationError } from 'nestjs-route-cors';
import {
  API,
  EVIL,
  KINDS,
  startOverlapApp,
  startSpaApp,
  startStaticFirstApp,
  THINGS,
} from './fixtures/served-by.fixture.js';
import { ON_FASTIFY, preflight, useApp } from '../../../test/support/fixture-app.js';

describe('a rule pattern and a controller pattern matching one path', () => {
  const { server } = useApp(startOverlapApp);
  const get = (origin: string): request.Test => request(server()).get('/things/special').set('Origin', origin);

  // Express tries its stack in order: the adapter route added before init() runs. Fastify's router picks the more specific /things/:id.
  const servedBy = ON_FASTIFY
    ? { from: 'controller', allowed: THINGS, refused: KINDS }
    : { from: 'adapter', allowed: KINDS, refused: THINGS };

  it(`gives the request the policy of what serves it (the ${servedBy.from} here)`, async () => {
    const allowed = await get(servedBy.allowed);
    expect(allowed.body).toMatchObject({ from: servedBy.from });
    expect(allowed.headers['access-control-allow-origin']).toBe(servedBy.allowed);
    const refused = await get(servedBy.refused);
    expect(refused.body).toMatchObject({ from: servedBy.from });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers the preflight with the same policy', async () => {
    expect((await preflight(server(), '/things/special', servedBy.allowed, 'GET')).status).toBe(204);
    expect((await preflight(server(), '/things/special', servedBy.refused, 'GET')).status).toBe(403);
  });

  it("keeps the controller's policy where only the controller route matches", async () => {
    const res = await request(server()).get('/things/42').set('Origin', THINGS);
    expect(res.body).toEqual({ from: 'controller', id: '42' });
    expect(res.headers['access-control-allow-origin']).toBe(THINGS);
  });
});

describe('a single-page app at / under one catch-all rule, its API under /api', () => {
  const { server } = useApp(startSpaApp);
  const get = (path: string, origin: string): request.Test => request(server()).get(path).set('Origin', origin);

  it("keeps the API's own policy", async () => {
    const allowed = await get('/api/items', API);
    expect(allowed.body).toEqual(['item']);
    expect(allowed.headers['access-control-allow-origin']).toBe(API);
    expect((await get('/api/items', EVIL)).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(server(), '/api/items', API, 'GET', 'content-type')).status).toBe(204);
  });

  it.each([
    ['a file', '/app.js', /spa loaded/],
    ['a client-side route', '/orders/42', /<title>spa<\/title>/],
  ])("gives %s the rule's public policy", async (_what, path, body) => {
    const res = await get(path, EVIL);
    expect(res.text).toMatch(body);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

(ON_FASTIFY ? describe.skip : describe)(
  'files served before Nest routes that a rule shares with them (Express only)',
  () => {
    it('stop start-up naming the rule and the controller route: the module cannot tell which serves a path', async () => {
      const start = startStaticFirstApp();
      await expect(start).rejects.toThrow(CorsConfigurationError);
      await expect(start).rejects.toThrow(
        /the path rule for \/\{\*rest\} shares paths with GET \/api\/items \(ApiItemsController\.list\), and express\.static mounted at \/ before Nest's routes serves the files it has there first/,
      );
    });
  },
);
