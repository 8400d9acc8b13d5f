/**
 * Issue 14: the policy of a request is the policy of the handler Nest calls
 * for it, whatever composed the route's path (global prefix, RouterModule,
 * URI versions) or picks its handler (header versions, hosts, route order),
 * and however the path is spelled.
 */
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { CorsPolicies, formatRouteReport } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import { ON_FASTIFY, preflight, useApp } from '../../../test/support/fixture-app.js';
import { registeredRoutes, tableRoutes } from '../../../test/support/registered-routes.js';
import {
  EVIL,
  ORIGIN_A,
  ORIGIN_B,
  ORIGIN_C,
  startHeaderRoutingApp,
  startMediaTypeRoutingApp,
  startUriRoutingApp,
  VERSION_HEADER,
} from './fixtures/routing.fixture.js';
import {
  origin as choiceOrigin,
  startChoiceApp,
  VERSION_HEADER as CHOICE_VERSION_HEADER,
} from './fixtures/fastify-choice.fixture.js';

interface RouteCase {
  readonly kind: string;
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly path: string;
  readonly host?: string;
  readonly allowed: string;
  readonly refused: string;
  readonly handler: string;
}

const ROUTES: readonly RouteCase[] = [
  {
    kind: 'URI version 1',
    method: 'GET',
    path: '/api/v1/items',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'ItemsV1.list',
  },
  {
    kind: 'URI version 1, POST',
    method: 'POST',
    path: '/api/v1/items',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'ItemsV1.create',
  },
  {
    kind: 'URI version 2, same path',
    method: 'GET',
    path: '/api/v2/items',
    allowed: ORIGIN_B,
    refused: ORIGIN_A,
    handler: 'ItemsV2.list',
  },
  {
    kind: 'handler version array (3)',
    method: 'GET',
    path: '/api/v3/items/legacy',
    allowed: ORIGIN_B,
    refused: ORIGIN_A,
    handler: 'ItemsV2.legacy',
  },
  {
    kind: 'handler version array (4)',
    method: 'GET',
    path: '/api/v4/items/legacy',
    allowed: ORIGIN_B,
    refused: ORIGIN_A,
    handler: 'ItemsV2.legacy',
  },
  {
    kind: 'neutral version, excluded from the prefix',
    method: 'GET',
    path: '/status',
    allowed: ORIGIN_C,
    refused: ORIGIN_A,
    handler: 'Status.status',
  },
  {
    kind: 'default version, first of two paths',
    method: 'GET',
    path: '/api/v1/things/one',
    allowed: ORIGIN_A,
    refused: ORIGIN_C,
    handler: 'Things.several',
  },
  {
    kind: 'default version, second of two paths',
    method: 'GET',
    path: '/api/v1/things/two',
    allowed: ORIGIN_A,
    refused: ORIGIN_C,
    handler: 'Things.several',
  },
  {
    kind: '@All()',
    method: 'PUT',
    path: '/api/v1/things/any',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'Things.any',
  },
  {
    kind: 'optional segment, absent',
    method: 'GET',
    path: '/api/v1/things/files',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'Things.file',
  },
  {
    kind: 'optional segment, present',
    method: 'GET',
    path: '/api/v1/things/files/a.txt',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'Things.file',
  },
  {
    kind: 'wildcard',
    method: 'GET',
    path: '/api/v1/things/docs/a/b/c',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'Things.docs',
  },
  {
    kind: 'RouterModule',
    method: 'GET',
    path: '/api/v1/admin/users',
    allowed: ORIGIN_A,
    refused: ORIGIN_B,
    handler: 'AdminUsers.users',
  },
  {
    kind: 'RouterModule child',
    method: 'POST',
    path: '/api/v1/admin/reports/daily',
    allowed: ORIGIN_B,
    refused: ORIGIN_A,
    handler: 'Reports.daily',
  },
  {
    kind: 'host-scoped controller',
    method: 'GET',
    path: '/api/v1/tenant',
    host: 'acme.tenant.test',
    allowed: ORIGIN_C,
    refused: ORIGIN_A,
    handler: 'Tenant.tenant',
  },
  // Express tries routes in registration order; Fastify's router ranks a static path first.
  ON_FASTIFY
    ? {
        kind: 'static route registered after a parameter one',
        method: 'GET',
        path: '/api/v1/order/by-id-first/special',
        allowed: ORIGIN_B,
        refused: ORIGIN_C,
        handler: 'Order.specialSecond',
      }
    : {
        kind: 'parameter route registered before a static one',
        method: 'GET',
        path: '/api/v1/order/by-id-first/special',
        allowed: ORIGIN_C,
        refused: ORIGIN_B,
        handler: 'Order.byIdFirst',
      },
  {
    kind: 'static route registered before a parameter one',
    method: 'GET',
    path: '/api/v1/order/special-first/special',
    allowed: ORIGIN_B,
    refused: ORIGIN_C,
    handler: 'Order.specialFirst',
  },
  {
    kind: 'parameter route after a static one',
    method: 'GET',
    path: '/api/v1/order/special-first/42',
    allowed: ORIGIN_C,
    refused: ORIGIN_B,
    handler: 'Order.byIdSecond',
  },
];

function actual(server: App, route: RouteCase, origin: string): request.Test {
  const test = request(server)[route.method.toLowerCase() as 'get' | 'post' | 'put'](route.path).set('Origin', origin);
  return route.host === undefined ? test : test.set('Host', route.host);
}

function routePreflight(server: App, route: RouteCase, origin: string): request.Test {
  const test = preflight(server, route.path, origin, route.method, 'content-type');
  return route.host === undefined ? test : test.set('Host', route.host);
}

describe('URI versioning, RouterModule, hosts and route order', () => {
  const running = useApp(startUriRoutingApp);
  const server = (): App => running.server();

  describe.each(ROUTES)('$kind: $method $path', (route) => {
    it('answers the preflight of an allowed origin with the handler policy', async () => {
      const res = await routePreflight(server(), route, route.allowed);
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(route.allowed);
      expect(res.headers['access-control-allow-methods']).toContain(route.method);
    });

    it('refuses the preflight of an origin outside the handler policy', async () => {
      const res = await routePreflight(server(), route, route.refused);
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('gives the actual request of an allowed origin its headers, through the guard and the interceptor', async () => {
      const res = await actual(server(), route, route.allowed);
      expect(res.status).toBeLessThan(300);
      expect(res.text).toBe(route.handler);
      expect(res.headers['access-control-allow-origin']).toBe(route.allowed);
      expect(res.headers.vary).toMatch(/Origin/);
      expect(res.headers['x-intercepted']).toBe('yes');
    });

    it('gives the actual request of a refused origin no Access-Control-* header', async () => {
      const res = await actual(server(), route, route.refused);
      expect(res.text).toBe(route.handler);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('lets an allowed origin read the global auth guard 401 on a versioned route', async () => {
    const cors = expectCors(running.app());
    await cors.preflight('/api/v1/items/secret', { origin: ORIGIN_A, headers: ['authorization'] }).toBeAllowed();
    const res = await cors.actual('/api/v1/items/secret', { origin: ORIGIN_A }).toBeAllowed();
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ statusCode: 401, message: 'Authentication required', error: 'Unauthorized' });
  });

  it('applies no policy on a host the host-scoped controller does not serve', async () => {
    const cors = expectCors(running.app());
    const res = await cors.actual('/api/v1/tenant', { origin: ORIGIN_C, host: 'other.test' }).toBeRefused();
    // Fastify holds one route per method and path: Nest's host filter has nothing to fall through to.
    const answeredBy: unknown = ON_FASTIFY ? res.body : res.text;
    expect(answeredBy).toEqual(
      ON_FASTIFY
        ? { statusCode: 404, message: 'Cannot GET /api/v1/tenant', error: 'Not Found' }
        : 'TenantFallback.fallback',
    );
    const pre = await cors.preflight('/api/v1/tenant', { origin: ORIGIN_C, host: 'other.test' }).toBeRefused();
    expect(pre.status).toBe(403);
  });

  it('answers unprefixed and unversioned spellings of versioned routes as Nest does: not at all', async () => {
    for (const path of ['/items', '/v1/items', '/api/items', '/api/status']) {
      const res = await request(server()).get(path).set('Origin', ORIGIN_A);
      expect([path, res.status, res.headers['access-control-allow-origin']]).toEqual([path, 404, undefined]);
    }
  });

  describe('a user @Options() handler on a policy path', () => {
    it('receives OPTIONS requests that are not preflights', async () => {
      const res = await request(server()).options('/api/v1/things/probe').set('Origin', ORIGIN_A);
      expect(res.text).toBe('Things.probe');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('never sees preflights: the module answers them with the policy of the requested method', async () => {
      const res = await preflight(server(), '/api/v1/things/probe', ORIGIN_A, 'GET');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PUT, DELETE');
      const asked = await preflight(server(), '/api/v1/things/probe', ORIGIN_A, 'OPTIONS');
      expect(asked.status).toBe(204);
      expect(asked.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    });
  });

  describe('path spellings: the policy applies exactly when the router reaches the handler', () => {
    // Whether the router reaches the handler, on Express and on Fastify (case-sensitive, and decoding the path first).
    const spellings: ReadonlyArray<readonly [string, boolean, boolean]> = [
      ['/api/v1/things/one', true, true],
      ['/api/v1/things/one/', true, true],
      ['/API/V1/THINGS/ONE', true, false],
      ['/api/v1/things/one?x=1', true, true],
      ['/api/v1/things/one#fragment', true, true],
      ['http://localhost/api/v1/things/one', true, true],
      ['/api/v1/things/one//', false, false],
      ['//api/v1/things/one', false, false],
      ['/api/v1/things//one', false, false],
      ['/api/v1//things/one', false, false],
      ['/api/v1/things/%6Fne', false, true],
      ['/api/v1/things/one;x', false, false],
      ['/api/v1/things/./one', false, false],
      ['/api/v1/items/../things/one', false, false],
      ['/api/v1/things/one%2F', false, false],
      ['/api/v1/things/one\\', false, false],
    ];

    /** A raw request, so that the request-target reaches the server exactly as written. */
    function rawGet(path: string): Promise<{ status: number; body: string; allowOrigin: string | undefined }> {
      const { port } = (running.app().getHttpServer() as Server).address() as AddressInfo;
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, headers: { Origin: ORIGIN_A } }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              allowOrigin: res.headers['access-control-allow-origin'],
            }),
          );
        });
        req.on('error', reject);
        req.end();
      });
    }

    beforeAll(async () => {
      await new Promise<void>((resolve) => (running.app().getHttpServer() as Server).listen(0, '127.0.0.1', resolve));
    });

    it.each(spellings)(
      '%s: handler reached (Express %s, Fastify %s), and policy applied the same',
      async (path, onExpress, onFastify) => {
        const reached = ON_FASTIFY ? onFastify : onExpress;
        const res = await rawGet(path);
        expect(res.body === 'Things.several').toBe(reached);
        expect(res.allowOrigin === ORIGIN_A).toBe(reached);
      },
    );
  });

  it('holds exactly the routes the platform registered, in its order', () => {
    expect(tableRoutes(running.app())).toEqual(registeredRoutes(running.app()));
    expect(tableRoutes(running.app()).length).toBeGreaterThan(15);
  });

  it('explains versioned, RouterModule and host-bound routes with the same answers', async () => {
    const routes = running.app().get(CorsPolicies);
    const input = { method: 'GET', headers: [], credentials: false };
    await expect(routes.explain({ ...input, origin: ORIGIN_B, path: '/api/v2/items' })).resolves.toMatchObject({
      allowed: true,
    });
    await expect(routes.explain({ ...input, origin: ORIGIN_A, path: '/api/v2/items' })).resolves.toMatchObject({
      allowed: false,
    });
    await expect(routes.explain({ ...input, origin: ORIGIN_A, path: '/api/v1/admin/users' })).resolves.toMatchObject({
      allowed: true,
    });
    await expect(
      routes.explain({ ...input, origin: ORIGIN_C, path: '/api/v1/tenant', host: 'acme.tenant.test' }),
    ).resolves.toMatchObject({
      allowed: true,
      route: { handler: 'TenantController.tenant' },
    });
    const otherHost = routes.explain({ ...input, origin: ORIGIN_C, path: '/api/v1/tenant', host: 'other.test' });
    if (ON_FASTIFY) {
      await expect(otherHost).rejects.toThrow(/no route serves GET \/api\/v1\/tenant on host other\.test/);
    } else {
      await expect(otherHost).resolves.toMatchObject({
        allowed: false,
        route: { handler: 'TenantFallbackController.fallback' },
      });
    }
  });
});

describe('header versioning: one path, the handler chosen by a request header', () => {
  const running = useApp(startHeaderRoutingApp);
  const server = (): App => running.server();

  it.each([
    ['1', ORIGIN_B, true, 'HeaderV1.get'],
    ['2', ORIGIN_B, false, 'HeaderV2.get'],
    ['2', ORIGIN_C, true, 'HeaderV2.get'],
    ['1', ORIGIN_C, false, 'HeaderV1.get'],
  ])('version %s from %s: allowed %s by the policy of %s', async (version, origin, allowed, handler) => {
    const res = await request(server()).get('/reports').set(VERSION_HEADER, version).set('Origin', origin);
    expect(res.text).toBe(handler);
    expect(res.headers['access-control-allow-origin']).toBe(allowed ? origin : undefined);
  });

  it('answers a preflight with what every version allows: origins, headers and max-age', async () => {
    const res = await preflight(server(), '/reports', ORIGIN_A, 'GET', VERSION_HEADER.toLowerCase());
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN_A);
    expect(res.headers['access-control-allow-headers']).toBe('X-API-Version');
    expect(res.headers['access-control-max-age']).toBe('100');
  });

  it.each([ORIGIN_B, ORIGIN_C, EVIL])(
    'refuses the preflight of %s, which one of the versions refuses',
    async (origin) => {
      const res = await preflight(server(), '/reports', origin, 'GET', VERSION_HEADER.toLowerCase());
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    },
  );

  it('intersects the versions of a path spelled differently by each handler', async () => {
    const refused = await preflight(server(), '/reports/42', ORIGIN_B, 'PUT');
    expect(refused.status).toBe(403);
    const allowed = await preflight(server(), '/reports/42', ORIGIN_A, 'PUT');
    expect(allowed.status).toBe(204);
    const res = await request(server()).put('/reports/42').set(VERSION_HEADER, '2').set('Origin', ORIGIN_C);
    expect([res.text, res.headers['access-control-allow-origin']]).toEqual(['HeaderV2.put', ORIGIN_C]);
  });

  it('refuses a preflight asking for a header only one version allows', async () => {
    const res = await preflight(server(), '/reports', ORIGIN_A, 'GET', 'content-type');
    expect(res.status).toBe(403);
  });

  it('shows the preflight intersection in the route table', () => {
    const table = formatRouteReport(running.app().get(CorsPolicies).routeReport());
    expect(table).toMatch(/^OPTIONS\s+\/reports\s+preflight for GET, any version\s+headerV1&headerV2$/m);
    expect(table).toMatch(/^headerV1&headerV2 \(enforce\): origins https:\/\/a\.example\.com$/m);
    expect(table).toMatch(/^GET\s+\/reports\s+1\s+headerV1$/m);
  });

  it('explains an actual request with the version the header selects', async () => {
    const routes = running.app().get(CorsPolicies);
    const base = { origin: ORIGIN_B, method: 'GET', path: '/reports', credentials: false };
    // The version header is not CORS-safelisted: the browser asks first, and the preflight gets the intersection.
    await expect(routes.explain({ ...base, headers: [{ name: VERSION_HEADER, value: '1' }] })).resolves.toMatchObject({
      allowed: false,
      route: { handler: 'HeaderV1Controller.get' },
      preflight: { needed: true, allowed: false },
    });
    await expect(
      routes.explain({ ...base, origin: ORIGIN_A, headers: [{ name: VERSION_HEADER, value: '2' }] }),
    ).resolves.toMatchObject({
      allowed: true,
      route: { handler: 'HeaderV2Controller.get', policy: 'headerV2' },
    });
    await expect(routes.explain({ ...base, headers: [{ name: 'accept' }] })).rejects.toThrow(
      /no route serves GET \/reports/,
    );
  });

  it('holds exactly the routes the platform registered', () => {
    expect(tableRoutes(running.app())).toEqual(registeredRoutes(running.app()));
  });
});

describe('media-type versioning: the version in Accept, which needs no preflight', () => {
  const running = useApp(startMediaTypeRoutingApp);

  it.each([
    ['1', ORIGIN_A, 'MediaV1.get'],
    ['2', ORIGIN_B, 'MediaV2.get'],
  ])('version %s gives %s the policy of %s, and only that one', async (version, origin, handler) => {
    const cors = expectCors(running.app());
    const allowed = await cors
      .actual('/media', { origin, headers: { Accept: `application/json;v=${version}` } })
      .toBeAllowed();
    expect(allowed.text).toBe(handler);
    const other = origin === ORIGIN_A ? ORIGIN_B : ORIGIN_A;
    const refused = await cors
      .actual('/media', { origin: other, headers: { Accept: `application/json;v=${version}` } })
      .toBeRefused();
    expect(refused.text).toBe(handler);
  });

  it('holds exactly the routes the platform registered', () => {
    expect(tableRoutes(running.app())).toEqual(registeredRoutes(running.app()));
  });
});

// Fastify's router chooses before the hook runs, by rules of its own: its choice decides an actual request's policy.
(ON_FASTIFY ? describe : describe.skip)(
  "the route Fastify's router chooses (Fastify only: Express's router runs after the hook, so the index is the choice there)",
  () => {
    const running = useApp(startChoiceApp);
    const server = (): App => running.server();

    it.each<[string, () => request.Test, string]>([
      [
        'a parameter over maxParamLength falls back to the wildcard',
        () => request(server()).get(`/files/${'x'.repeat(101)}`),
        'wildcard',
      ],
      ['a parameter within maxParamLength', () => request(server()).get('/files/7'), 'param'],
      [
        'a host route constraint that does not match',
        () => request(server()).get('/report').set('Host', 'www.example.com'),
        'public',
      ],
      [
        'a host route constraint that matches',
        () => request(server()).get('/report').set('Host', 'admin.example.com'),
        'admin',
      ],
      [
        'a versioned route beside an unversioned one spelled otherwise',
        () => request(server()).put('/reports/42').set(CHOICE_VERSION_HEADER, '1'),
        'versioned',
      ],
      ['the unversioned route, without a version', () => request(server()).put('/reports/42'), 'unversioned'],
      ["find-my-way's tie-break between two mixed segments", () => request(server()).get('/v1.json'), 'release'],
    ])('%s: the policy of the handler that answers (%#)', async (_case, send, handler) => {
      const answer = await send().set('Origin', choiceOrigin(handler));
      expect([answer.text, answer.headers['access-control-allow-origin']]).toEqual([handler, choiceOrigin(handler)]);
      const other = handler === 'wildcard' ? 'param' : 'wildcard';
      const refused = await send().set('Origin', choiceOrigin(other));
      expect([refused.text, refused.headers['access-control-allow-origin']]).toEqual([handler, undefined]);
    });
  },
);
