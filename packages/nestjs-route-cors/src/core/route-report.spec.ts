import { compilePolicy } from './compile-policy.js';
import { formatRouteReport, formatRouteTable } from './route-report.js';

describe('formatRouteTable', () => {
  it('prints one aligned row per route with its effective policy', () => {
    const table = formatRouteTable([
      { method: 'POST', path: '/greet', policy: compilePolicy('frontend', { origins: ['https://a.test'], methods: ['POST'], maxAge: 60, strict: true }) },
      { method: 'GET', path: '/health', policy: undefined },
    ]);
    const [heading, greet, health] = table.split('\n');
    expect(heading).toMatch(/^METHOD\s+PATH\s+POLICY\s+ORIGINS\s+METHODS\s+HEADERS\s+EXPOSED\s+CREDENTIALS\s+MAX-AGE\s+STRICT$/);
    expect(greet?.split(/\s+/)).toEqual(['POST', '/greet', 'frontend', 'https://a.test', 'POST', '-', '-', 'no', '60', 'yes']);
    expect(health?.split(/\s+/).slice(0, 3)).toEqual(['GET', '/health', '(none)']);
    expect(greet?.indexOf('frontend')).toBe(heading?.indexOf('POLICY'));
  });
});

describe('formatRouteReport', () => {
  it('lists each tolerated entry once per policy, and names the Public Suffix List', () => {
    const policy = compilePolicy('previews', { origins: ['https://*.vercel.app', 'https://a.test'], tolerate: ['public-suffix-pattern'] });
    const report = formatRouteReport({
      routes: [
        { method: 'GET', path: '/a', policy },
        { method: 'POST', path: '/a', policy },
      ],
      paths: [],
      gateways: [],
    });
    const [, tolerated, suffixes] = report.split('\n\n');
    expect(tolerated?.split('\n')).toEqual([
      "Tolerated (the policies' tolerate option):",
      expect.stringMatching(/^ {2}previews: public-suffix-pattern "https:\/\/\*\.vercel\.app": covers the public suffix "vercel\.app"/),
    ]);
    expect(suffixes).toMatch(/^Public suffixes: Public Suffix List of tldts \d+\.\d+\.\d+$/);
  });

  it('has no tolerated section when no policy tolerates anything', () => {
    const report = formatRouteReport({ routes: [{ method: 'GET', path: '/a', policy: compilePolicy('p', { origins: ['https://a.test'] }) }], paths: [], gateways: [] });
    expect(report).not.toContain('Tolerated');
  });
});
