/**
 * GraphQL under a path rule (issue 25), with the real packages: @nestjs/graphql
 * and @nestjs/apollo over Apollo Server 5 (its Express 5 or Fastify
 * integration, by the platform under test), code first, subscriptions over
 * graphql-ws. The rule `{ path: '/graphql', policy: 'frontend' }` answers the
 * CORS contract a controller route answers: preflights before Apollo's CSRF
 * prevention, queries by POST and GET, credentials, refused origins, errors,
 * and the subscription's WebSocket upgrade.
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { Query, Resolver } from '@nestjs/graphql';
import { Cors, CorsPolicies } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import {
  ALLOWED,
  EVIL,
  type GraphqlApp,
  graphqlCorsOptions,
  graphqlModule,
  startGraphqlApp,
} from './fixtures/graphql.fixture.js';
import { ON_FASTIFY, preflight, REFUSAL_BODY, startFixtureApp } from '../../../test/support/fixture-app.js';
import { ticksFrom } from './support/graphql-subscriptions.js';
import { upgrade } from '../../../test/support/handshakes.js';

const HELLO = { query: '{ hello(name: "cors") }' };
const HELLO_DATA = { data: { hello: 'hello cors' } };

describe('GraphQL under a path rule', () => {
  let started: GraphqlApp;
  const server = (): App => started.app.getHttpServer() as App;

  beforeAll(async () => {
    started = await startGraphqlApp();
  });
  afterAll(() => started?.app.close());

  describe('preflights, answered before Apollo runs', () => {
    it.each([
      ['a JSON POST', 'POST', 'content-type'],
      ["a GET with Apollo's CSRF header", 'GET', 'apollo-require-preflight'],
      ['a POST naming its operation', 'POST', 'content-type,x-apollo-operation-name'],
    ])(
      "answers an allowed origin's preflight for %s with 204 and the policy's headers",
      async (_what, method, headers) => {
        const res = await preflight(server(), '/graphql', ALLOWED, method, headers);
        expect(res.status).toBe(204);
        expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
        expect(res.headers['access-control-allow-credentials']).toBe('true');
        expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
        expect(res.headers['access-control-allow-headers']).toBe(
          'Content-Type, apollo-require-preflight, x-apollo-operation-name',
        );
        expect(res.headers['content-length']).toBe('0');
        expect(res.text).toBe('');
      },
    );

    it("refuses a preflight from an origin outside the policy with 403 and no CORS header (not Apollo's 400)", async () => {
      const res = await preflight(server(), '/graphql', EVIL, 'POST', 'content-type');
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    });

    it('refuses a preflight asking for a header or a method outside the policy', async () => {
      expect((await preflight(server(), '/graphql', ALLOWED, 'POST', 'content-type,x-tenant')).status).toBe(403);
      expect((await preflight(server(), '/graphql', ALLOWED, 'PUT', 'content-type')).status).toBe(403);
    });
  });

  describe('queries from an allowed origin', () => {
    it('answers a JSON POST with the data, the origin, credentials and Vary: Origin', async () => {
      const res = await request(server()).post('/graphql').set('Origin', ALLOWED).send(HELLO);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(HELLO_DATA);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
    });

    it("answers a GET carrying Apollo's CSRF-prevention header with the data and the headers", async () => {
      const res = await request(server())
        .get('/graphql')
        .query(HELLO)
        .set('Origin', ALLOWED)
        .set('apollo-require-preflight', 'true');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(HELLO_DATA);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it("gives Apollo's CSRF refusal of a GET without such a header the CORS headers (the page can read why)", async () => {
      const res = await request(server()).get('/graphql').query(HELLO).set('Origin', ALLOWED);
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/blocked as a potential Cross-Site Request Forgery/);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    });

    it.each([
      ['a resolver error', { query: '{ broken }' }, 200, /the resolver failed/],
      ['a validation error', { query: '{ nope }' }, 400, /GRAPHQL_VALIDATION_FAILED/],
      ['a body that is not GraphQL', { notAQuery: true }, 400, /query/],
    ])('gives %s the CORS headers', async (_what, body, status, message) => {
      const res = await request(server()).post('/graphql').set('Origin', ALLOWED).send(body);
      expect(res.status).toBe(status);
      expect(res.text).toMatch(message);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
    });
  });

  describe('the other paths the router serves Apollo at', () => {
    // Express's router ignores case and one trailing slash by default; Fastify's does neither, and answers those 404.
    const served = ['/graphql?x=1', ...(ON_FASTIFY ? [] : ['/graphql/', '/GraphQL'])];
    it.each(served)('decides %s by the rule too', async (path) => {
      const allowed = await request(server()).post(path).set('Origin', ALLOWED).send(HELLO);
      expect(allowed.body).toEqual(HELLO_DATA);
      expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(
        (await request(server()).post(path).set('Origin', EVIL).send(HELLO)).headers['access-control-allow-origin'],
      ).toBeUndefined();
      expect((await preflight(server(), path, EVIL, 'POST', 'content-type')).status).toBe(403);
    });
  });

  describe('queries from a refused origin', () => {
    it.each([
      ['POST', () => request(server()).post('/graphql').set('Origin', EVIL).send(HELLO)],
      [
        'GET',
        () =>
          request(server()).get('/graphql').query(HELLO).set('Origin', EVIL).set('apollo-require-preflight', 'true'),
      ],
    ])('answers a %s without Access-Control-Allow-Origin, so no page can read it', async (_method, send) => {
      const res = await send();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
    });
  });

  describe('the subscription over graphql-ws', () => {
    it('lets an allowed origin subscribe and receive the events', async () => {
      expect(await ticksFrom(started.port, ALLOWED)).toEqual([
        { data: { ticks: 'tick 1' } },
        { data: { ticks: 'tick 2' } },
      ]);
    });

    it("refuses a refused origin's upgrade with 403, never 101", async () => {
      const answer = await upgrade(started.port, '/graphql', {
        Origin: EVIL,
        'Sec-WebSocket-Protocol': 'graphql-transport-ws',
      });
      expect(answer.status).toBe(403);
      expect(answer.head).not.toMatch(/access-control-allow-origin/i);
      await expect(ticksFrom(started.port, EVIL)).rejects.toBeDefined();
    });

    it('decides an upgrade with a query string by its path', async () => {
      expect(
        (
          await upgrade(started.port, '/graphql?token=1', {
            Origin: EVIL,
            'Sec-WebSocket-Protocol': 'graphql-transport-ws',
          })
        ).status,
      ).toBe(403);
    });

    it("upgrades an allowed origin's handshake, and a program's without Origin, with 101", async () => {
      expect(
        (await upgrade(started.port, '/graphql', { Origin: ALLOWED, 'Sec-WebSocket-Protocol': 'graphql-transport-ws' }))
          .status,
      ).toBe(101);
      expect(
        (await upgrade(started.port, '/graphql', { 'Sec-WebSocket-Protocol': 'graphql-transport-ws' })).status,
      ).toBe(101);
    });
  });

  it('explains and tests requests to /graphql like a controller route', async () => {
    const explained = await started.app.get(CorsPolicies).explain({
      origin: EVIL,
      method: 'POST',
      path: '/graphql',
      headers: [{ name: 'content-type' }],
      credentials: true,
    });
    expect(explained.verdict).toBe(`refused: origin "${EVIL}" is not in policy 'frontend' (allowed: ${ALLOWED})`);
    await expectCors(started.app)
      .preflight('/graphql', { origin: ALLOWED, method: 'POST', headers: ['content-type', 'apollo-require-preflight'] })
      .toBeAllowed();
    await expectCors(started.app).actual('/graphql', { origin: EVIL, method: 'POST' }).toBeRefused();
  });
});

describe('GraphQL under a strict rule', () => {
  let started: GraphqlApp;

  beforeAll(async () => {
    started = await startGraphqlApp(graphqlCorsOptions(ALLOWED, true));
  });
  afterAll(() => started?.app.close());

  it("stops a refused origin's query with 403 before Apollo runs it", async () => {
    const res = await request(started.app.getHttpServer() as App)
      .post('/graphql')
      .set('Origin', EVIL)
      .send(HELLO);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(REFUSAL_BODY);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it("still answers the allowed origin's query", async () => {
    const res = await request(started.app.getHttpServer() as App)
      .post('/graphql')
      .set('Origin', ALLOWED)
      .send(HELLO);
    expect(res.body).toEqual(HELLO_DATA);
  });
});

describe('@Cors() on a GraphQL resolver', () => {
  @Cors('frontend')
  @Resolver()
  class DecoratedResolver {
    @Query(() => String)
    hello(): string {
      return 'hello';
    }
  }

  @Resolver()
  class DecoratedQuery {
    @Cors('frontend')
    @Query(() => String)
    hello(): string {
      return 'hello';
    }
  }

  it.each([
    [
      'class',
      DecoratedResolver,
      /@Cors\(\) on DecoratedResolver has no effect: it is neither a controller nor a WebSocket gateway\. GraphQL resolvers share one HTTP endpoint/,
    ],
    [
      'query',
      DecoratedQuery,
      /@Cors\(\) on DecoratedQuery\.hello has no effect: it is not a route handler\. GraphQL resolvers share one HTTP endpoint/,
    ],
  ])('stops start-up on a resolver %s, pointing to the /graphql path rule', async (_where, resolver, problem) => {
    await expect(startFixtureApp(graphqlModule(undefined, [resolver]))).rejects.toThrow(problem);
  });
});
