import { compilePolicy } from './compile-policy.js';
import { formatGatewayTable, formatRouteReport, formatRouteTable, reportedPolicy } from './route-report.js';

const frontend = compilePolicy('frontend', {
  origins: ['https://a.test', 'https://b.test'],
  methods: ['POST'],
  allowedHeaders: ['Content-Type'],
  maxAge: 60,
  strict: true,
});

describe("each policy's mode", () => {
  const shadow = compilePolicy('shadow', { origins: ['https://a.test'], mode: 'report-only' });
  const modeLine = (policy: Parameters<typeof reportedPolicy>[0], moduleMode?: 'enforce' | 'report-only'): string =>
    formatRouteTable([{ method: 'GET', path: '/', policy: reportedPolicy(policy, moduleMode) }]).split('\n')[3] ?? '';

  it.each([
    ['its own, over the module', shadow, 'enforce' as const, 'shadow (report-only): origins https://a.test'],
    [
      "the module's, where it has none",
      frontend,
      'report-only' as const,
      'frontend (report-only): origins https://a.test,https://b.test',
    ],
    ["'enforce' by default", frontend, undefined, 'frontend (enforce): origins https://a.test,https://b.test'],
  ])('is %s', (_case, policy, moduleMode, line) => {
    expect(modeLine(policy, moduleMode)).toBe(line);
  });
});

describe('formatRouteTable', () => {
  const table = formatRouteTable([
    { method: 'POST', path: '/greet', policy: frontend },
    { method: 'GET', path: '/health', policy: undefined },
    { method: 'PUT', path: '/greet', policy: frontend },
  ]);
  const [routes = '', policies = ''] = table.split('\n\n');

  it('prints one aligned row per route with the name of its policy', () => {
    const [heading, greet, health] = routes.split('\n');
    expect(heading).toMatch(/^METHOD\s+PATH\s+POLICY$/);
    expect(greet?.split(/\s+/)).toEqual(['POST', '/greet', 'frontend']);
    expect(health?.split(/\s+/)).toEqual(['GET', '/health', '(none)']);
    expect(greet?.indexOf('frontend')).toBe(heading?.indexOf('POLICY'));
  });

  it('then what each policy allows, once per policy, in two lines', () => {
    expect(policies).toBe(
      'frontend (enforce): origins https://a.test,https://b.test\n  methods POST; headers Content-Type; exposed -; credentials no; max-age 60; strict yes',
    );
  });

  it('stays narrow: no line is wider than its longest origin list or its settings', () => {
    expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(90);
  });
});

describe('formatGatewayTable', () => {
  it('says only what a handshake is checked against: origins, headers (polling preflights) and credentials', () => {
    const table = formatGatewayTable([
      { method: 'WS', path: '/socket.io/ → ChatGateway (socket.io)', policy: frontend },
    ]);
    expect(table).toBe(
      [
        'METHOD  PATH                                   POLICY',
        'WS      /socket.io/ → ChatGateway (socket.io)  frontend',
        '',
        'frontend (enforce): origins https://a.test,https://b.test',
        '  headers Content-Type; credentials no',
      ].join('\n'),
    );
  });
});

describe('formatRouteReport', () => {
  it('lists each tolerated entry once per policy, and names the Public Suffix List', () => {
    const policy = compilePolicy('previews', {
      origins: ['https://*.vercel.app', 'https://a.test'],
      tolerate: ['public-suffix-pattern'],
    });
    const report = formatRouteReport({
      routes: [
        { method: 'GET', path: '/a', policy },
        { method: 'POST', path: '/a', policy },
      ],
      paths: [],
      gateways: [],
    });
    const [tolerated, suffixes] = report.split('\n\n').slice(-2);
    expect(tolerated?.split('\n')).toEqual([
      "Tolerated (the policies' tolerate option):",
      expect.stringMatching(
        /^ {2}previews: public-suffix-pattern "https:\/\/\*\.vercel\.app": covers the public suffix "vercel\.app"/,
      ),
    ]);
    expect(suffixes).toMatch(/^Public suffixes: Public Suffix List of tldts \d+\.\d+\.\d+$/);
  });

  it('ends with the version of the policies, when the report has one', () => {
    const report = formatRouteReport({
      routes: [],
      paths: [],
      gateways: [],
      policyVersion: { number: 7, source: 'redis', configuration: '0123456789ab' },
    });
    expect(report.split('\n').at(-1)).toBe('Policies: version 7, from Redis (configuration 0123456789ab)');
  });

  it('has no tolerated section when no policy tolerates anything', () => {
    const report = formatRouteReport({
      routes: [{ method: 'GET', path: '/a', policy: compilePolicy('p', { origins: ['https://a.test'] }) }],
      paths: [],
      gateways: [],
    });
    expect(report).not.toContain('Tolerated');
  });
});
