import { jest } from '@jest/globals';
import {
  type IndexedRoute,
  type PathRoutes,
  type RoutedRequest,
  RoutePathIndex,
  routeForRequest,
  type RouterPathOptions,
} from './path-index.js';

interface FakeRequest {
  readonly version?: string;
}

function route(
  method: string,
  path: string,
  policy: string | undefined,
  handler: string,
  extra: Partial<IndexedRoute<string, FakeRequest>> = {},
): IndexedRoute<string, FakeRequest> {
  return {
    method,
    path,
    policy,
    handler,
    host: undefined,
    servesHost: undefined,
    version: undefined,
    servesVersion: undefined,
    ...extra,
  };
}

function versioned(version: string): Partial<IndexedRoute<string, FakeRequest>> {
  return { version, servesVersion: (request) => request.version === version };
}

const EXPRESS_DEFAULTS: RouterPathOptions = { caseSensitive: false, ignoreTrailingSlash: true };
const joinNames = (policies: readonly string[]): string => policies.join('&');

function at(hostname: string, version?: string): RoutedRequest<FakeRequest> {
  return { hostname, request: version === undefined ? {} : { version } };
}

/** The routes at `pathname`; a test that expects some fails here when there are none. */
function entryAt(index: RoutePathIndex<string, FakeRequest>, pathname: string): PathRoutes<string, FakeRequest> {
  const entry = index.lookup(pathname);
  if (entry === undefined) throw new Error(`no route at ${pathname}`);
  return entry;
}

const routes = [
  route('POST', '/greet', 'frontend', 'Greet.greet'),
  route('GET', '/greet/languages', 'public', 'Greet.languages'),
  route('GET', '/items/:id', 'items', 'Items.find'),
  route('DELETE', '/items/:id', undefined, 'Items.remove'),
  route('ALL', '/any', 'any', 'Any.all'),
];
const index = new RoutePathIndex(routes, EXPRESS_DEFAULTS, joinNames);

describe('RoutePathIndex.lookup', () => {
  it.each([
    ['/greet', '/greet'],
    ['/greet/', '/greet'],
    ['/GREET', '/greet'],
    ['/items/42', '/items/:id'],
    ['/items/42/', '/items/:id'],
  ])('finds %s at %s', (pathname, path) => {
    expect(index.lookup(pathname)?.path).toBe(path);
  });

  it.each([
    '/nope',
    '/greet/other',
    '/greet//',
    '//greet',
    '/gr%65et',
    '/greet;x',
    '/items',
    '/items/1/2',
    '/items/%E0%A4%A',
  ])('finds nothing at %s, as the router', (pathname) => {
    expect(index.lookup(pathname)).toBeUndefined();
  });

  it('follows the router settings for case and trailing slashes', () => {
    const strict = new RoutePathIndex(routes, { caseSensitive: true, ignoreTrailingSlash: false }, joinNames);
    expect(strict.lookup('/greet')?.path).toBe('/greet');
    expect(strict.lookup('/GREET')).toBeUndefined();
    expect(strict.lookup('/greet/')).toBeUndefined();
  });

  it('asks every route about a path with a trailing slash, which a pattern may match where the literal path does not', () => {
    const slashed = new RoutePathIndex(
      [route('GET', '/items/{:id}', 'optional', 'Items.find'), route('GET', '/items', 'list', 'Items.list')],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(routeForRequest(entryAt(slashed, '/items/'), 'GET', at(''))?.policy).toBe('optional');
    expect(routeForRequest(entryAt(slashed, '/items'), 'GET', at(''))?.policy).toBe('list');
  });

  it('keeps the router order among patterns filed under different literal prefixes', () => {
    const patterns = new RoutePathIndex(
      [
        route('GET', '/api/:version/items/:id', 'versioned', 'Api.versioned'),
        route('GET', '/:anything/v1/items/:id', 'catch', 'Any.catch'),
        route('GET', '/api/v1/items/:id', 'items', 'Items.find'),
        route('GET', '/other/:id', 'other', 'Other.find'),
      ],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(entryAt(patterns, '/API/v1/items/7').routes.map((r) => r.policy)).toEqual(['versioned', 'catch', 'items']);
    expect(entryAt(patterns, '/x/v1/items/7').routes.map((r) => r.policy)).toEqual(['catch']);
    expect(patterns.lookup('/api/v1/itemz/7')).toBeUndefined();
  });

  it('keeps the router order when a pattern also matches a literal path', () => {
    const byId = route('GET', '/items/:id', 'by-id', 'Items.find');
    const special = route('GET', '/items/special', 'special', 'Items.special');
    expect(
      routeForRequest(
        entryAt(new RoutePathIndex([byId, special], EXPRESS_DEFAULTS, joinNames), '/items/special'),
        'GET',
        at(''),
      )?.policy,
    ).toBe('by-id');
    expect(
      routeForRequest(
        entryAt(new RoutePathIndex([special, byId], EXPRESS_DEFAULTS, joinNames), '/items/special'),
        'GET',
        at(''),
      )?.policy,
    ).toBe('special');
  });
});

describe('routeForRequest', () => {
  const greet = entryAt(index, '/greet');
  const items = entryAt(index, '/items/1');

  it('finds the route of the handler serving the method', () => {
    expect(routeForRequest(greet, 'POST', at(''))?.handler).toBe('Greet.greet');
    expect(routeForRequest(greet, 'DELETE', at(''))).toBeUndefined();
    expect(routeForRequest(items, 'DELETE', at(''))?.policy).toBeUndefined();
  });

  it('serves HEAD with the GET handler and any method with @All', () => {
    expect(routeForRequest(items, 'HEAD', at(''))?.policy).toBe('items');
    expect(routeForRequest(entryAt(index, '/any'), 'PATCH', at(''))?.policy).toBe('any');
  });

  it('skips routes bound to other hosts and versions, as the router does', () => {
    const hosted = entryAt(
      new RoutePathIndex(
        [
          route('GET', '/x', 'api-host', 'Api.x', { host: 'api.test', servesHost: (h) => h === 'api.test' }),
          route('GET', '/x', 'v2', 'V2.x', versioned('2')),
          route('GET', '/x', 'fallback', 'Any.x'),
        ],
        EXPRESS_DEFAULTS,
        joinNames,
      ),
      '/x',
    );
    expect(routeForRequest(hosted, 'GET', at('api.test'))?.policy).toBe('api-host');
    expect(routeForRequest(hosted, 'GET', at('other.test', '2'))?.policy).toBe('v2');
    expect(routeForRequest(hosted, 'GET', at('other.test', '3'))?.policy).toBe('fallback');
  });
});

/** What a preflight for `method` is answered by: a policy, or why there is none. */
function preflightOf(
  index: RoutePathIndex<string, FakeRequest>,
  entry: PathRoutes<string, FakeRequest>,
  method: string,
): string {
  const handlers = index.preflightHandlers(entry, method, at(''));
  if (handlers === undefined) return 'method-not-served';
  return index.policyOf(handlers) ?? 'handler-without-policy';
}

describe('RoutePathIndex.preflightHandlers', () => {
  const items = entryAt(index, '/items/1');

  it('answers with the policy of the handler serving the requested method', () => {
    expect(preflightOf(index, items, 'GET')).toBe('items');
  });

  it('refuses a method without handler, or whose handler has no policy', () => {
    expect(preflightOf(index, items, 'PATCH')).toBe('method-not-served');
    expect(preflightOf(index, items, 'DELETE')).toBe('handler-without-policy');
  });

  it('knows whether a path has any policy', () => {
    expect(items.hasPolicy).toBe(true);
    expect(
      new RoutePathIndex([route('GET', '/health', undefined, 'Health.check')], EXPRESS_DEFAULTS, joinNames).lookup(
        '/health',
      )?.hasPolicy,
    ).toBe(false);
  });

  it('answers with the intersection of every handler a version could select', () => {
    const versions = new RoutePathIndex(
      [
        route('GET', '/v', 'one', 'V1.get', versioned('1')),
        route('GET', '/v', 'two', 'V2.get', versioned('2')),
        route('GET', '/v', 'neutral', 'N.get'),
        route('GET', '/v', 'never', 'Late.get'),
      ],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(preflightOf(versions, entryAt(versions, '/v'), 'GET')).toBe('one&two&neutral');
    expect(versions.versionedPreflights().map((row) => row.policy)).toEqual(['one&two&neutral']);
  });

  it('counts every handler a version could select, whatever its path spelling, @All() included', () => {
    const spellings = new RoutePathIndex(
      [
        route('PUT', '/items/:id', 'one', 'V1.put', versioned('1')),
        route('PUT', '/items/:itemId', 'two', 'V2.put', versioned('2')),
      ],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(preflightOf(spellings, entryAt(spellings, '/items/42'), 'PUT')).toBe('one&two');
    const optedOut = new RoutePathIndex(
      [
        route('PUT', '/items/:id', 'one', 'V1.put', versioned('1')),
        route('ALL', '/items/:id', undefined, 'V2.all', versioned('2')),
      ],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(preflightOf(optedOut, entryAt(optedOut, '/items/42'), 'PUT')).toBe('handler-without-policy');
  });

  it('refuses a preflight when one of the handlers a version could select has no policy', () => {
    const versions = new RoutePathIndex(
      [route('GET', '/v', 'one', 'V1.get', versioned('1')), route('GET', '/v', undefined, 'V2.get', versioned('2'))],
      EXPRESS_DEFAULTS,
      joinNames,
    );
    expect(preflightOf(versions, entryAt(versions, '/v'), 'GET')).toBe('handler-without-policy');
  });
});

describe('the work of a lookup, and of building the index (counted, not timed)', () => {
  interface Work {
    /** Map lookups, and the characters of their string keys (each hashed and compared). */
    readonly mapProbes: number;
    readonly keyChars: number;
    /** Regular expression runs, and the characters of their inputs. */
    readonly regexpRuns: number;
    readonly matchedChars: number;
  }

  function countWork(run: () => unknown): Work {
    const probes = jest.spyOn(Map.prototype, 'get');
    const execs = jest.spyOn(RegExp.prototype, 'exec');
    const tests = jest.spyOn(RegExp.prototype, 'test');
    try {
      run();
      const lengthOf = (calls: unknown[][]): number =>
        calls.reduce((sum, [arg]) => sum + (typeof arg === 'string' ? arg.length : 0), 0);
      const runs = [...execs.mock.calls, ...tests.mock.calls];
      return {
        mapProbes: probes.mock.calls.length,
        keyChars: lengthOf(probes.mock.calls),
        regexpRuns: runs.length,
        matchedChars: lengthOf(runs),
      };
    } finally {
      probes.mockRestore();
      execs.mockRestore();
      tests.mockRestore();
    }
  }

  const appRoutes = [
    ...routes,
    route('GET', '/api/v1/items/:id', 'items', 'V1.find'),
    route('GET', '/api/v1/orders/:id/lines/:line', 'items', 'V1.line'),
    route('GET', '/:kind/special', 'special', 'Kind.special'),
    route('ALL', '/assets{/*rest}', 'public', 'the path rule for /assets{/*rest}', { pathRule: true }),
    route('ALL', '/{*rest}', 'public', 'the path rule for /{*rest}', { pathRule: true }),
  ];

  it.each([
    ['short segments', (length: number) => '/a'.repeat(length / 2)],
    ['slashes', (length: number) => '/'.repeat(length)],
    ['a long last segment', (length: number) => `/items/${'x'.repeat(length - 7)}`],
  ])(
    'looks up a 16 KB path of %s with as many lookups as a short one, reading it a bounded number of times',
    (_shape, pathOf) => {
      for (const options of [EXPRESS_DEFAULTS, { caseSensitive: true, ignoreTrailingSlash: false, decoded: true }]) {
        const appIndex = new RoutePathIndex(appRoutes, options, joinNames);
        appIndex.lookup('/warm-up');
        const short = countWork(() => appIndex.lookup(pathOf(64)));
        const long = countWork(() => appIndex.lookup(pathOf(16 * 1024)));
        expect(long.mapProbes).toBeLessThanOrEqual(short.mapProbes + 2);
        expect(long.regexpRuns).toBeLessThanOrEqual(short.regexpRuns + 2);
        // Each lookup or run reads the path at most once: the characters read grow with the path, never with its square.
        expect(long.keyChars + long.matchedChars).toBeLessThanOrEqual((long.mapProbes + long.regexpRuns) * 16 * 1024);
        expect(long.keyChars + long.matchedChars).toBeLessThanOrEqual(64 * 16 * 1024);
      }
    },
  );

  it('builds an index of thousands of literal paths with work in proportion to their number', () => {
    const rules = (count: number) =>
      Array.from({ length: count }, (_, n) =>
        route('ALL', `/tenants/t${n}/files`, 'public', `rule ${n}`, { pathRule: true }),
      );
    const withPatterns = (count: number) => [...appRoutes, ...rules(count)];
    const thousand = countWork(() => new RoutePathIndex(withPatterns(1_000), EXPRESS_DEFAULTS, joinNames));
    const fourThousand = countWork(() => new RoutePathIndex(withPatterns(4_000), EXPRESS_DEFAULTS, joinNames));
    expect(fourThousand.regexpRuns).toBeLessThanOrEqual(4.5 * thousand.regexpRuns);
    expect(fourThousand.mapProbes).toBeLessThanOrEqual(4.5 * thousand.mapProbes);
    expect(fourThousand.regexpRuns).toBeLessThanOrEqual(20 * 4_000);
  });
});
