import { compilePolicy } from './compile-policy.js';
import { formatGatewayTable, formatRouteTable } from './route-report.js';

const frontend = compilePolicy('frontend', { origins: ['https://a.test', 'https://b.test'], methods: ['POST'], allowedHeaders: ['Content-Type'], maxAge: 60, strict: true });

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
      'frontend: origins https://a.test,https://b.test\n  methods POST; headers Content-Type; exposed -; credentials no; max-age 60; strict yes',
    );
  });

  it('stays narrow: no line is wider than its longest origin list or its settings', () => {
    expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(90);
  });
});

describe('formatGatewayTable', () => {
  it('says only what a handshake is checked against: origins, headers (polling preflights) and credentials', () => {
    const table = formatGatewayTable([{ method: 'WS', path: '/socket.io/ → ChatGateway (socket.io)', policy: frontend }]);
    expect(table).toBe(
      [
        'METHOD  PATH                                   POLICY',
        'WS      /socket.io/ → ChatGateway (socket.io)  frontend',
        '',
        'frontend: origins https://a.test,https://b.test',
        '  headers Content-Type; credentials no',
      ].join('\n'),
    );
  });
});
