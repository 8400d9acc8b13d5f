/**
 * GraphQL on Mercurius (@nestjs/mercurius on Fastify) under the path rule
 * docs/recipes.md gives it (issue 31): preflights answered before Mercurius,
 * queries by POST and GET, refused origins, the subscription's WebSocket
 * upgrade, and expectCors. Mercurius is a Fastify plugin: on Express these
 * suites are skipped.
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { expectCors } from 'nestjs-route-cors/testing';
import { ALLOWED, EVIL, type GraphqlApp } from './fixtures/graphql.fixture.js';
import { startMercuriusApp } from './fixtures/mercurius.fixture.js';
import { ON_FASTIFY, preflight } from '../../../test/support/fixture-app.js';
import { ticksFrom } from './support/graphql-subscriptions.js';
import { upgrade } from '../../../test/support/handshakes.js';

const HELLO = { query: '{ hello(name: "cors") }' };
const HELLO_DATA = { data: { hello: 'hello cors' } };
const onFastify = ON_FASTIFY ? describe : describe.skip;

/** The Mercurius application, started before the suite and closed after it. */
function useMercuriusApp(csrfPrevention: boolean): () => GraphqlApp {
  let started: GraphqlApp | undefined;
  beforeAll(async () => {
    started = await startMercuriusApp(csrfPrevention);
  });
  afterAll(() => started?.app.close());
  return () => {
    if (started === undefined) throw new Error('the app is not started yet');
    return started;
  };
}

onFastify('Mercurius under a path rule (Fastify only: Mercurius is a Fastify plugin)', () => {
  const started = useMercuriusApp(false);
  const server = (): App => started().app.getHttpServer() as App;

  it("answers an allowed origin's preflight with 204 and the policy's headers, before Mercurius", async () => {
    const res = await preflight(server(), '/graphql', ALLOWED, 'POST', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type');
  });

  it('refuses a preflight from another origin with 403 and no CORS header', async () => {
    const res = await preflight(server(), '/graphql', EVIL, 'POST', 'content-type');
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("answers the allowed origin's JSON POST and its GET with the data and the policy's headers", async () => {
    const posted = await request(server()).post('/graphql').set('Origin', ALLOWED).send(HELLO);
    const got = await request(server()).get('/graphql').query(HELLO).set('Origin', ALLOWED);
    for (const res of [posted, got]) {
      expect(res.status).toBe(200);
      expect(res.body).toEqual(HELLO_DATA);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
    }
  });

  it("gives Mercurius's errors the policy's headers (the page can read what went wrong)", async () => {
    const res = await request(server()).post('/graphql').set('Origin', ALLOWED).send({ query: '{ nope }' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/nope/);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it("answers another origin's queries without Access-Control-Allow-Origin, so no page can read them", async () => {
    const posted = await request(server()).post('/graphql').set('Origin', EVIL).send(HELLO);
    const got = await request(server()).get('/graphql').query(HELLO).set('Origin', EVIL);
    for (const res of [posted, got]) {
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
    }
  });

  it('lets the allowed origin subscribe over the WebSocket and receive the events', async () => {
    expect(await ticksFrom(started().port, ALLOWED)).toEqual([
      { data: { ticks: 'tick 1' } },
      { data: { ticks: 'tick 2' } },
    ]);
  });

  it("refuses another origin's upgrade with 403, never 101", async () => {
    const answer = await upgrade(started().port, '/graphql', {
      Origin: EVIL,
      'Sec-WebSocket-Protocol': 'graphql-transport-ws',
    });
    expect(answer.status).toBe(403);
    await expect(ticksFrom(started().port, EVIL)).rejects.toBeDefined();
  });

  it('tests /graphql with expectCors like a controller route', async () => {
    await expectCors(started().app)
      .preflight('/graphql', { origin: ALLOWED, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    await expectCors(started().app)
      .actual('/graphql', {
        origin: EVIL,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: HELLO,
      })
      .toBeRefused();
  });
});

onFastify("Mercurius's own csrfPrevention, as the recipe warns (Fastify only)", () => {
  const started = useMercuriusApp(true);

  it("refuses every subscription itself, with 400: a browser's WebSocket upgrade cannot carry its header", async () => {
    const answer = await upgrade(started().port, '/graphql', {
      Origin: ALLOWED,
      'Sec-WebSocket-Protocol': 'graphql-transport-ws',
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/Cross-Site Request Forgery/);
  });
});
