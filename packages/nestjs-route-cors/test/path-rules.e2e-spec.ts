/**
 * Path rules (issue 25): a policy for what no controller declares, answered
 * like a controller route's (preflights before anything else runs, actual
 * requests, strict refusals, reports, explanations, the testing helpers),
 * and WebSocket upgrades to a rule's path checked like a gateway handshake.
 */
import { Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { Cors, CorsConfigurationError, CorsModule, CorsPolicies, formatRouteReport } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import {
  ALLOWED,
  EVIL,
  ItemsController,
  rejections,
  RULES_OPTIONS,
  type PathRulesApp,
  startPathRulesApp,
} from './fixtures/path-rules.fixture.js';
import { preflight, startFixtureApp } from '../../../test/support/fixture-app.js';
import { upgrade } from '../../../test/support/handshakes.js';

describe('path rules', () => {
  let started: PathRulesApp;
  const server = (): App => started.app.getHttpServer() as App;
  const warnings: string[] = [];

  beforeAll(async () => {
    started = await startPathRulesApp({
      logger: { log: () => undefined, error: () => undefined, warn: (message: string) => void warnings.push(message) },
    });
  });
  afterAll(() => started?.app.close());

  describe.each([
    ['a route added on the adapter', '/adapter'],
    ['a middleware mounted with app.use(path)', '/mounted/page'],
  ])('on %s', (_what, path) => {
    it("answers an allowed preflight with 204 and the policy's headers, before the route runs", async () => {
      const res = await preflight(server(), path, ALLOWED, 'POST', 'content-type');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST');
      expect(res.headers['content-length']).toBe('0');
    });

    it('refuses a preflight from an origin outside the policy with 403 and no CORS header', async () => {
      const res = await preflight(server(), path, EVIL, 'POST', 'content-type');
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers.vary).toBe('Origin, Access-Control-Request-Method, Access-Control-Request-Headers');
    });

    it('gives an allowed actual request its headers and Vary: Origin', async () => {
      const res = await request(server()).get(path).set('Origin', ALLOWED);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
      expect(res.headers.vary).toMatch(/\bOrigin\b/);
    });
  });

  it('stops a refused actual request under a strict rule policy before the route runs', async () => {
    started.adapterCalls.length = 0;
    const res = await request(server()).get('/adapter').set('Origin', EVIL);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(started.adapterCalls).toEqual([]);
  });

  it("makes Swagger's JSON document public under a '*' rule", async () => {
    const res = await request(server()).get('/docs-json').set('Origin', EVIL);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('leaves the controller route to its own @Cors(), and paths without a rule alone', async () => {
    expect((await request(server()).get('/items').set('Origin', ALLOWED)).headers['access-control-allow-origin']).toBe(
      ALLOWED,
    );
    expect(
      (await preflight(server(), '/nowhere', ALLOWED, 'GET')).headers['access-control-allow-origin'],
    ).toBeUndefined();
  });

  describe('WebSocket upgrades to a rule path', () => {
    it('refuses an origin outside the policy with 403 and Vary: Origin, never 101, and reports it to onReject once', async () => {
      rejections.length = 0;
      const answer = await upgrade(started.port, '/live', { Origin: EVIL });
      expect(answer.status).toBe(403);
      expect(answer.head).toMatch(/\r\nVary: Origin\r\n/i);
      expect(answer.head).not.toMatch(/access-control-allow-origin/i);
      expect(rejections).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: '/live',
          origin: EVIL,
          policy: 'inline@the path rule for /live',
          rejection: expect.objectContaining({ code: 'origin-not-allowed' }),
        }),
      ]);
    });

    it('lets an allowed origin, and a program without Origin, upgrade', async () => {
      expect((await upgrade(started.port, '/live', { Origin: ALLOWED })).status).toBe(101);
      expect((await upgrade(started.port, '/live', {})).status).toBe(101);
    });

    describe('to a server that routes by new URL(req.url).pathname', () => {
      it('lets an allowed origin upgrade', async () => {
        expect((await upgrade(started.port, '/url-live', { Origin: ALLOWED })).status).toBe(101);
      });

      it.each([
        ['a dot segment', '/./url-live'],
        ['a fragment', '/url-live#x'],
        ['a dot-dot segment', '/x/../url-live'],
        ['an escaped dot segment', '/%2e/url-live'],
        ['a backslash', '/x\\..\\url-live'],
      ])('refuses an origin outside the policy that spells the path with %s, never 101', async (_spelling, target) => {
        expect((await upgrade(started.port, target, { Origin: EVIL })).status).toBe(403);
      });

      it('refuses an origin outside the policy that sends an absolute-form target, never 101', async () => {
        expect(
          (await upgrade(started.port, `http://127.0.0.1:${started.port}/url-live`, { Origin: EVIL })).status,
        ).toBe(403);
      });
    });

    it('refuses every browser upgrade under a policy without GET, and says why once', async () => {
      expect((await upgrade(started.port, '/live-posts', { Origin: ALLOWED })).status).toBe(403);
      expect((await upgrade(started.port, '/live-posts', { Origin: ALLOWED })).status).toBe(403);
      expect(warnings.filter((line) => line.includes('WebSocket upgrade'))).toEqual([
        "a WebSocket upgrade was refused because policy 'inline@the path rule for /live-posts' of a path rule does not allow GET, the method of every upgrade: add 'GET' to its methods to accept WebSocket clients there",
      ]);
    });
  });

  it('lists the rules in the route report in the order they are tried, and explains and tests requests to them', async () => {
    const policies = started.app.get(CorsPolicies);
    expect(policies.routeReport().paths.map((row) => [row.path, row.policy?.name])).toEqual([
      ['/adapter', 'frontend'],
      ['/docs-json', 'public'],
      ['/live', 'inline@the path rule for /live'],
      ['/live-posts', 'inline@the path rule for /live-posts'],
      ['/url-live', 'inline@the path rule for /url-live'],
      ['/mounted{/*rest}', 'frontend'],
    ]);
    expect(formatRouteReport(policies.routeReport())).toMatch(
      /Path rules:\nMETHOD +PATH +POLICY[^\n]*\nANY +\/adapter +frontend/,
    );
    const explained = await policies.explain({
      origin: EVIL,
      method: 'POST',
      path: '/adapter',
      headers: [{ name: 'content-type' }],
      credentials: false,
    });
    expect(explained.verdict).toBe(`refused: origin "${EVIL}" is not in policy 'frontend' (allowed: ${ALLOWED})`);
    await expectCors(started.app)
      .preflight('/adapter', { origin: ALLOWED, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    await expectCors(started.app).actual('/adapter', { origin: EVIL }).toBeRefused();
  });
});

describe('path rules the module refuses at start-up', () => {
  function startWith(paths: NonNullable<(typeof RULES_OPTIONS)['paths']>): Promise<unknown> {
    @Module({ imports: [CorsModule.forRoot({ ...RULES_OPTIONS, paths })], controllers: [ItemsController] })
    class RefusedModule {}
    return startFixtureApp(RefusedModule);
  }

  it.each([
    [
      'an unknown policy name',
      [{ path: '/graphql', policy: 'nope' }],
      /@Cors\('nope'\) on the path rule for \/graphql names an unknown policy \(known: frontend, public\)/,
    ],
    [
      'invalid inline options',
      [{ path: '/graphql', policy: { origins: ['not a url'] } }],
      /Invalid CORS policy 'inline@the path rule for \/graphql'/,
    ],
    [
      'a path that is not a route path',
      [{ path: '/assets/*', policy: 'public' }],
      /the path rule for \/assets\/\* is not a route path/,
    ],
    [
      'two equally specific rules that can match one path, with different policies',
      [
        { path: '/files/:name', policy: 'public' },
        { path: '/files/:id', policy: 'frontend' },
      ],
      /the path rules for \/files\/:name \('public'\) and \/files\/:id \('frontend'\) can match the same path and are equally specific/,
    ],
    [
      'one literal path twice, with different policies',
      [
        { path: '/graphql', policy: 'public' },
        { path: '/graphql', policy: 'frontend' },
      ],
      /the path rules for \/graphql \('public'\) and \/graphql \('frontend'\)/,
    ],
  ])('refuses %s, naming the rule', async (_what, paths, problem) => {
    const start = startWith(paths);
    await expect(start).rejects.toThrow(CorsConfigurationError);
    await expect(start).rejects.toThrow(problem);
  });
});

describe('@Cors() where only a path rule can apply', () => {
  /** A GraphQL resolver's shape, without GraphQL: a provider, not a controller or a gateway. */
  @Cors('frontend')
  @Injectable()
  class ItemsResolver {
    items(): string[] {
      return [];
    }
  }

  @Injectable()
  class ItemsQueries {
    @Cors('frontend')
    items(): string[] {
      return [];
    }
  }

  it.each([
    [
      'a resolver class',
      ItemsResolver,
      /@Cors\(\) on ItemsResolver has no effect: it is neither a controller nor a WebSocket gateway\. GraphQL resolvers share one HTTP endpoint: give it a policy with CorsModule\.forRoot\(\{ paths: \[\{ path: '\/graphql'/,
    ],
    [
      'a resolver method',
      ItemsQueries,
      /@Cors\(\) on ItemsQueries\.items has no effect: it is not a route handler\. GraphQL resolvers share one HTTP endpoint/,
    ],
  ])('stops start-up for @Cors() on %s, pointing to paths', async (_where, provider, problem) => {
    @Module({ imports: [CorsModule.forRoot(RULES_OPTIONS)], controllers: [ItemsController], providers: [provider] })
    class WithResolverModule {}
    await expect(startFixtureApp(WithResolverModule)).rejects.toThrow(problem);
  });
});
