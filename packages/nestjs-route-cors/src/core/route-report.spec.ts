import { compilePolicy } from './compile-policy.js';
import { formatRouteTable } from './route-report.js';

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
