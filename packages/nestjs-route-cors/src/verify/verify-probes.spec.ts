import { compilePolicy } from '../core/compile-policy.js';
import type { CorsPolicyOptions } from '../core/policy.js';
import type { CorsRouteReportJson, RouteReportJsonRow } from '../core/route-report-json.js';
import { probedRoutes } from './verify-probes.js';

function row(
  method: string,
  path: string,
  options: CorsPolicyOptions | undefined,
  extra: Partial<RouteReportJsonRow> = {},
): RouteReportJsonRow {
  const policy = options === undefined ? null : { name: 'p', ...compilePolicy('p', options).declared };
  return { method, path, policy, ...extra };
}

function report(
  routes: RouteReportJsonRow[],
  paths: RouteReportJsonRow[] = [],
  gateways: RouteReportJsonRow[] = [],
): CorsRouteReportJson {
  return { routes, paths, gateways, publicSuffixList: 'test' };
}

describe('probedRoutes', () => {
  it('probes a listed policy from two allowed origins and the look-alikes it refuses', () => {
    const { routes } = probedRoutes(
      report([row('GET', '/notes', { origins: ['https://app.example.com', 'https://shop.example.com'] })]),
      [],
    );
    expect(routes).toEqual([
      expect.objectContaining({
        name: 'GET /notes',
        target: '/notes',
        allowed: ['https://app.example.com', 'https://shop.example.com'],
        refused: [
          'https://evilapp.example.com',
          'https://app.example.com.evil.example',
          'null',
          'http://app.example.com',
          'https://appxexample.com',
          'https://evil.example',
        ],
        sendsActual: true,
      }),
    ]);
  });

  it('leaves out look-alikes the policy allows (a pattern covers the prefix look-alike)', () => {
    const { routes } = probedRoutes(report([row('GET', '/a', { origins: ['https://*.example.com'] })]), []);
    expect(routes[0]?.allowed).toEqual(['https://verify-a.example.com', 'https://verify-b.example.com']);
    expect(routes[0]?.refused).not.toContain('https://evilverify-a.example.com');
    expect(routes[0]?.refused).toContain('null');
  });

  it('probes no refused origin where any origin, or a predicate, may be allowed', () => {
    const { routes } = probedRoutes(
      report([
        row('GET', '/public', { origins: '*' }),
        row('GET', '/tenants', { origins: ['https://a.example.com'], originPredicate: () => true }),
      ]),
      [],
    );
    expect(routes.map((r) => r.refused)).toEqual([[], []]);
  });

  it('sends only preflights to routes that change state', () => {
    const { routes } = probedRoutes(
      report([
        row('POST', '/notes', { origins: ['https://a.example.com'] }),
        row('ANY', '/files{/*rest}', { origins: ['https://a.example.com'], methods: ['PUT'] }),
      ]),
      [],
    );
    expect(routes.map((r) => [r.method, r.sendsActual])).toEqual([
      ['POST', false],
      ['PUT', false],
    ]);
  });

  it('fills parameters, drops optional parts, and prefers a sample the route matches', () => {
    const rows = [
      row('GET', '/items/:id', { origins: ['https://a.example.com'] }),
      row('GET', '/docs{/*rest}', { origins: ['https://a.example.com'] }),
    ];
    expect(probedRoutes(report(rows), []).routes.map((r) => r.target)).toEqual(['/items/verify', '/docs']);
    expect(probedRoutes(report(rows), ['/items/42?full=1']).routes.map((r) => r.target)).toEqual([
      '/items/42?full=1',
      '/docs',
    ]);
  });

  it('says what it skips: host-bound routes, policies without an origin, gateways; routes without a policy are not probed', () => {
    const result = probedRoutes(
      report(
        [
          row('GET', '/admin', { origins: ['https://a.example.com'] }, { host: 'admin.example.com' }),
          row('GET', '/closed', {}),
          row('GET', '/health', undefined),
        ],
        [],
        [row('WS', '/socket.io/', { origins: ['https://a.example.com'] })],
      ),
      [],
    );
    expect(result.routes).toEqual([]);
    expect(result.skipped).toEqual([
      'GET /admin: bound to host admin.example.com',
      "GET /closed: policy 'p' lists no origin to probe with",
      'WS /socket.io/: a gateway (probe its handshake with expectCors)',
    ]);
  });
});
