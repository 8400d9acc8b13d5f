/**
 * The audit's golden set: fixture policies, the routes that use them, and
 * the findings (code and severity) each must get, no more, no fewer.
 */
import { auditCors, type AuditContext } from './audit.js';
import { compilePolicy } from './compile-policy.js';
import type { CompiledCorsPolicy, CorsPolicyOptions } from './policy.js';
import type { RouteReportRow } from './route-report.js';

const LISTED = ['https://app.example.com'];
const CREDENTIALED = { origins: LISTED, credentials: true };
const ALL_RISKS: CorsPolicyOptions['tolerate'] = [
  'public-suffix-pattern',
  'null-origin-with-credentials',
  'insecure-origin-with-credentials',
];

/** [policy name, its options, the methods of the rows using it (ANY: a path rule, WS: a gateway), expected `code:severity`]. */
const GOLDEN: ReadonlyArray<readonly [string, CorsPolicyOptions, readonly string[], readonly string[]]> = [
  ['listed-read', { origins: LISTED }, ['GET'], []],
  ['public-read', { origins: '*', methods: ['GET'] }, ['GET'], []],
  [
    'public-post',
    { origins: '*', methods: ['GET', 'POST'] },
    ['GET', 'POST'],
    ['public-policy-on-state-changing-method:medium'],
  ],
  [
    'public-delete',
    { origins: '*', methods: ['DELETE'] },
    ['DELETE'],
    ['public-policy-on-state-changing-method:medium'],
  ],
  [
    'public-rule-writes',
    { origins: '*', methods: ['GET', 'PUT'] },
    ['ANY'],
    ['public-policy-on-state-changing-method:medium'],
  ],
  ['public-rule-reads', { origins: '*', methods: ['GET'] }, ['ANY'], []],
  ['public-query', { origins: '*', methods: ['QUERY'] }, ['QUERY'], []],
  ['credentialed-read', CREDENTIALED, ['GET'], []],
  ['credentialed-post', CREDENTIALED, ['POST'], ['credentials-without-csrf-protection:medium']],
  ['credentialed-post-strict', { ...CREDENTIALED, strict: true }, ['POST'], []],
  ['credentialed-put', { ...CREDENTIALED, methods: ['PUT'] }, ['PUT'], []],
  [
    'credentialed-all',
    { ...CREDENTIALED, methods: ['GET', 'POST'] },
    ['ALL'],
    ['credentials-without-csrf-protection:medium'],
  ],
  ['credentialed-rule-reads', { ...CREDENTIALED, methods: ['GET'] }, ['ANY'], []],
  ['pattern-read', { origins: ['https://*.example.com'] }, ['GET'], []],
  [
    'pattern-credentialed',
    { origins: ['https://*.example.com'], credentials: true },
    ['GET'],
    ['pattern-with-credentials:medium'],
  ],
  [
    'pattern-credentialed-post',
    { origins: ['https://*.example.com'], credentials: true },
    ['POST'],
    ['credentials-without-csrf-protection:medium', 'pattern-with-credentials:medium'],
  ],
  [
    'two-patterns-credentialed',
    { origins: ['https://*.a.example', 'https://*.b.example', ...LISTED], credentials: true },
    ['GET'],
    ['pattern-with-credentials:medium', 'pattern-with-credentials:medium'],
  ],
  [
    'platform-previews',
    { origins: ['https://*.vercel.app'], tolerate: ['public-suffix-pattern'] },
    ['GET'],
    ['tolerated-public-suffix-pattern:medium'],
  ],
  [
    'platform-previews-credentialed',
    { origins: ['https://*.vercel.app'], credentials: true, tolerate: ['public-suffix-pattern'] },
    ['GET'],
    ['tolerated-public-suffix-pattern:high'],
  ],
  [
    'country-suffix',
    { origins: ['https://*.co.uk'], tolerate: ['public-suffix-pattern'] },
    ['GET'],
    ['tolerated-public-suffix-pattern:medium'],
  ],
  [
    'sandboxed-frames',
    { origins: ['null'], credentials: true, tolerate: ['null-origin-with-credentials'] },
    ['GET'],
    ['tolerated-null-origin-with-credentials:high'],
  ],
  [
    'plain-http',
    { origins: ['http://app.example.com'], credentials: true, tolerate: ['insecure-origin-with-credentials'] },
    ['GET'],
    ['tolerated-insecure-origin-with-credentials:high'],
  ],
  [
    'plain-http-pattern',
    { origins: ['http://*.example.com'], credentials: true, tolerate: ['insecure-origin-with-credentials'] },
    ['GET'],
    ['tolerated-insecure-origin-with-credentials:high'],
  ],
  ['loopback-dev', { origins: ['http://localhost:1234', 'http://127.0.0.1:5173'], credentials: true }, ['GET'], []],
  ['null-anonymous', { origins: ['null'] }, ['GET'], []],
  ['http-anonymous', { origins: ['http://app.example.com'] }, ['GET'], []],
  [
    'stale-tolerance',
    { origins: LISTED, tolerate: ['null-origin-with-credentials'] },
    ['GET'],
    ['unneeded-tolerance:info'],
  ],
  ['day-long-cache', { origins: LISTED, maxAge: 86_400 }, ['GET'], ['max-age-above-browser-cap:info']],
  ['cache-at-chromium-cap', { origins: LISTED, maxAge: 7_200 }, ['GET'], []],
  ['unused', { origins: LISTED }, [], ['unused-policy:info']],
  [
    'unused-credentialed-pattern',
    { origins: ['https://*.example.com'], credentials: true },
    [],
    ['pattern-with-credentials:medium', 'unused-policy:info'],
  ],
  [
    'predicate-strict',
    { originPredicate: () => true, credentials: true, strict: true, methods: ['POST'] },
    ['POST'],
    [],
  ],
  ['gateway', CREDENTIALED, ['WS'], []],
  [
    'everything-tolerated',
    {
      origins: ['https://*.github.io', 'null', 'http://app.example.com'],
      credentials: true,
      tolerate: ALL_RISKS,
      maxAge: 9_000,
    },
    ['POST'],
    [
      'credentials-without-csrf-protection:medium',
      'max-age-above-browser-cap:info',
      'tolerated-insecure-origin-with-credentials:high',
      'tolerated-null-origin-with-credentials:high',
      'tolerated-public-suffix-pattern:high',
    ],
  ],
];

function rowsFor(policy: CompiledCorsPolicy, methods: readonly string[]): RouteReportRow[] {
  return methods.map((method) => ({ method, path: `/${policy.name}`, policy }));
}

function contextFor(entries: typeof GOLDEN, overrides: Partial<AuditContext> = {}): AuditContext {
  const policies = entries.map(([name, options, methods]) => ({ policy: compilePolicy(name, options), methods }));
  const rows = policies.flatMap(({ policy, methods }) => rowsFor(policy, methods));
  return {
    report: {
      routes: rows.filter((r) => r.method !== 'ANY' && r.method !== 'WS'),
      paths: rows.filter((r) => r.method === 'ANY'),
      gateways: rows.filter((r) => r.method === 'WS'),
    },
    namedPolicies: new Map(policies.map(({ policy }) => [policy.name, policy])),
    exposeRejectionReason: false,
    production: false,
    csrfProtection: false,
    ...overrides,
  };
}

describe('the audit (golden set)', () => {
  it('holds at least 30 fixture policies', () => {
    expect(GOLDEN.length).toBeGreaterThanOrEqual(30);
  });

  it.each(GOLDEN)('finds in %s exactly what it should', (name, options, methods, expected) => {
    const findings = auditCors(contextFor([[name, options, methods, expected]]));
    expect(findings.map((f) => `${f.code}:${f.severity}`).sort()).toEqual([...expected].sort());
    for (const finding of findings) expect(finding.policy).toBe(name);
  });

  it('finds the same over the whole set at once, most severe first', () => {
    const findings = auditCors(contextFor(GOLDEN));
    const expected = GOLDEN.flatMap(([name, , , codes]) => codes.map((code) => `${name} ${code}`));
    expect(findings.map((f) => `${f.policy} ${f.code}:${f.severity}`).sort()).toEqual(expected.sort());
    const ranks = findings.map((f) => ['high', 'medium', 'low', 'info'].indexOf(f.severity));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });
});

describe('the audit (module and context)', () => {
  const credentialedPost: typeof GOLDEN = [['credentialed-post', CREDENTIALED, ['POST'], []]];

  it('names the routes, the entry, and a fix in every finding', () => {
    const [finding] = auditCors(
      contextFor([
        [
          'sandboxed-frames',
          { origins: ['null'], credentials: true, tolerate: ['null-origin-with-credentials'] },
          ['GET', 'HEAD'],
          [],
        ],
      ]),
    );
    expect(finding).toEqual({
      code: 'tolerated-null-origin-with-credentials',
      severity: 'high',
      policy: 'sandboxed-frames',
      routes: ['GET /sandboxed-frames', 'HEAD /sandboxed-frames'],
      entry: 'null',
      message: expect.stringContaining('tolerates origins entry "null", which allows credentials to \'null\''),
      fix: expect.stringMatching(/remove "null" or credentials/),
    });
  });

  it('reports exposeRejectionReason in production only', () => {
    const code = (context: Partial<AuditContext>) =>
      auditCors(contextFor([], context)).map((f) => `${f.policy} ${f.code}:${f.severity}`);
    expect(code({ exposeRejectionReason: true, production: true })).toEqual([
      'CorsModule rejection-reason-exposed-in-production:low',
    ]);
    expect(code({ exposeRejectionReason: true, production: false })).toEqual([]);
    expect(code({ exposeRejectionReason: false, production: true })).toEqual([]);
  });

  it('trusts CSRF protection the application says it has', () => {
    expect(auditCors(contextFor(credentialedPost, { csrfProtection: true }))).toEqual([]);
    expect(auditCors(contextFor(credentialedPost)).map((f) => f.code)).toEqual(['credentials-without-csrf-protection']);
  });

  it('counts a named policy used only inside a merge or a version intersection as used', () => {
    const named = compilePolicy('base', { origins: LISTED });
    const merged = compilePolicy('base+inline@NotesController.create', { origins: LISTED, methods: ['PUT'] });
    const context: AuditContext = {
      ...contextFor([]),
      namedPolicies: new Map([['base', named]]),
      report: { routes: rowsFor(merged, ['PUT']), paths: [], gateways: [] },
    };
    expect(auditCors(context)).toEqual([]);
  });
});
