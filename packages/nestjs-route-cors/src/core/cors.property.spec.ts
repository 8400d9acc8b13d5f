/**
 * Properties of the framework-free core over random allowlists, origins,
 * policies and requests (fast-check).
 *
 * Allowlists are written the way people write them (any case, explicit default
 * ports, trailing dots, Unicode host names), and probe origins are mutations of
 * those written entries, the probes of CORS scanners: prefix and suffix tricks,
 * another scheme or port, default ports, case, trailing dots, IDN, extra
 * labels, userinfo. Every verdict is compared with a reference rule written
 * from the README over the *written* strings, never with the compiler's own
 * normalised output. Every property counts the cases it reached and fails when
 * fewer than its floor were checked, so a generator that drifts away from the
 * interesting cases cannot pass by checking nothing.
 */
import fc from 'fast-check';
import { compilePolicy } from './compile-policy.js';
import { CorsPolicyError } from './errors.js';
import { type CorsDecision, type CorsRequestFacts, decideCors } from './cors-decision.js';
import { isListedOrigin } from './origin-matcher.js';
import type { CompiledCorsPolicy, CorsPolicyOptions } from './policy.js';
import { TOLERABLE_RISKS } from './unsafe-origins.js';

const RUNS = { numRuns: 400 };

/** Counts the cases a property reached, by kind; `expectAtLeast` fails a property that reached too few. */
class Coverage {
  private readonly counts = new Map<string, number>();

  count(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  expectAtLeast(floors: Record<string, number>): void {
    const reached = Object.fromEntries(Object.keys(floors).map((kind) => [kind, this.counts.get(kind) ?? 0]));
    const short = Object.entries(floors).filter(([kind, floor]) => (reached[kind] ?? 0) < floor);
    if (short.length > 0) {
      throw new Error(
        `the property checked too few cases: reached ${JSON.stringify(reached)}, floors ${JSON.stringify(floors)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------
// The reference rule, written from the README: an origin is allowed when it is
// the serialisation of a written exact origin, or the written pattern's scheme,
// one or more whole DNS labels, the written domain and the written port.

/** Host labels the generators use that are not ASCII, and their punycode (RFC 3492), looked up rather than computed. */
const PUNYCODE: Readonly<Record<string, string>> = { bücher: 'xn--bcher-kva', münchen: 'xn--mnchen-3ya' };
const UNICODE: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(PUNYCODE).map(([u, p]) => [p, u]));
const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };

interface ReferenceEntry {
  readonly scheme: string;
  readonly wildcard: boolean;
  /** Lower case, punycode, trailing dot kept (browsers keep it too). */
  readonly host: string;
  /** `''` or `:port`, default ports dropped. */
  readonly port: string;
}

/** How a browser would serialise the written entry, or undefined when it is not an http(s) origin or pattern. */
function referenceEntry(written: string): ReferenceEntry | undefined {
  const parts = /^([A-Za-z]+):\/\/(\*\.)?([^/:?#@\s\\*]+)(?::(\d+))?$/.exec(written);
  if (!parts) return undefined;
  const [, rawScheme = '', star, rawHost = '', rawPort] = parts;
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const host = rawHost
    .toLowerCase()
    .split('.')
    .map((label) => PUNYCODE[label] ?? label)
    .join('.');
  const port = rawPort === undefined || Number(rawPort) === Number(DEFAULT_PORT[scheme]) ? '' : `:${Number(rawPort)}`;
  return { scheme, wildcard: star !== undefined, host, port };
}

const LDH_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** The origin rule over the written allowlist. */
function referenceAllows(written: readonly string[], origin: string): boolean {
  return written.some((entry) => {
    if (entry === 'null') return origin === 'null';
    const ref = referenceEntry(entry);
    if (ref === undefined) return false;
    if (!ref.wildcard) return origin === `${ref.scheme}://${ref.host}${ref.port}`;
    const parts = /^(https?):\/\/([^:/]+)(:\d+)?$/.exec(origin);
    if (!parts) return false;
    const [, scheme, host = '', port = ''] = parts;
    if (scheme !== ref.scheme || port !== ref.port || host.length > 253 || !host.endsWith(`.${ref.host}`)) return false;
    const labels = host.slice(0, -(ref.host.length + 1)).split('.');
    return labels.every((l) => l.length <= 63 && LDH_LABEL.test(l));
  });
}

// ---------------------------------------------------------------------------
// Allowlists as people write them, and origins near them.

const label = fc.constantFrom('app', 'api', 'shop', 'a-b', 'x1', 'example', 'bücher', 'xn--bcher-kva', 'münchen');
const tld = fc.constantFrom('com', 'org', 'test');
const spelling = fc.constantFrom('lower', 'upper', 'title');
const writtenPort = fc.constantFrom('', '', ':8080', ':8443', ':default');

function spell(text: string, how: string): string {
  if (how === 'upper') return text.toUpperCase();
  if (how === 'title')
    return text.replace(/(^|[./])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
  return text;
}

/** One allowlist entry, exact or pattern, in one of the spellings the compiler accepts. */
const writtenEntry: fc.Arbitrary<string> = fc
  .record({
    scheme: fc.constantFrom('http', 'https'),
    wildcard: fc.boolean(),
    labels: fc.array(label, { minLength: 1, maxLength: 2 }),
    tld,
    port: writtenPort,
    trailingDot: fc.constantFrom(false, false, false, true),
    schemeSpelling: spelling,
    hostSpelling: spelling,
  })
  .map(({ scheme, wildcard, labels, tld: top, port, trailingDot, schemeSpelling, hostSpelling }) => {
    const host = spell([...labels, top].join('.') + (trailingDot ? '.' : ''), hostSpelling);
    const writtenPortText = port === ':default' ? `:${DEFAULT_PORT[scheme] ?? ''}` : port;
    return `${spell(scheme, schemeSpelling)}://${wildcard ? '*.' : ''}${host}${writtenPortText}`;
  });

const validAllowlist = fc.uniqueArray(
  fc.oneof({ arbitrary: writtenEntry, weight: 9 }, { arbitrary: fc.constant('null'), weight: 1 }),
  {
    minLength: 1,
    maxLength: 5,
  },
);

/** What fills a pattern's `*`: valid labels, invalid ones, and too long for a host name. */
const FILLERS = [
  'a',
  'a.b',
  'x-1.y',
  'xn--bcher-kva',
  'bücher',
  'x_y',
  '-a',
  'a-',
  '',
  'a..b',
  '.a',
  'A',
  'a'.repeat(63),
  'a'.repeat(64),
  `${'a'.repeat(63)}.`.repeat(4) + 'a',
  'a b',
  'a@b',
  'a/b',
  'a:1',
];

const MUTATIONS = [
  'as listed',
  'as written',
  'prefix trick',
  'suffix trick',
  'trailing junk',
  'other scheme',
  'other port',
  'default port written out',
  'upper case',
  'trailing dot',
  'IDN',
  'extra label',
  'userinfo',
  'host as userinfo',
  'path',
  'bare domain',
] as const;
type Mutation = (typeof MUTATIONS)[number];

/** A browser-style origin made from `entry` by `mutation`; `filler` stands for a pattern's `*`. */
function mutate(entry: string, mutation: Mutation, filler: string): string {
  const ref = referenceEntry(entry);
  if (ref === undefined) return mutation === 'as written' ? entry : `${entry}${mutation === 'path' ? '/' : ''}`;
  const { scheme, port } = ref;
  const host = ref.wildcard ? (mutation === 'bare domain' ? ref.host : `${filler}.${ref.host}`) : ref.host;
  const origin = (h: string, s = scheme, p = port) => `${s}://${h}${p}`;
  switch (mutation) {
    case 'as listed':
    case 'bare domain':
      return origin(host);
    case 'as written':
      return entry.replace('*', filler);
    case 'prefix trick':
      return origin(`evil${host}`);
    case 'suffix trick':
      return origin(`${host}.evil.com`);
    case 'trailing junk':
      return origin(`${host}x`);
    case 'other scheme':
      return origin(host, scheme === 'https' ? 'http' : 'https');
    case 'other port':
      return origin(host, scheme, port === ':8080' ? ':8081' : ':8080');
    case 'default port written out':
      return origin(host, scheme, `:${DEFAULT_PORT[scheme] ?? ''}`);
    case 'upper case':
      return origin(host.toUpperCase());
    case 'trailing dot':
      return origin(host.endsWith('.') ? host.slice(0, -1) : `${host}.`);
    case 'IDN': {
      const labels = host.split('.');
      const unicode = labels.map((l) => UNICODE[l] ?? l);
      return origin(
        unicode.join('.') !== host ? unicode.join('.') : ['xn--' + (labels[0] ?? ''), ...labels.slice(1)].join('.'),
      );
    }
    case 'extra label':
      return origin(`x.${host}`);
    case 'userinfo':
      return origin(`user:pass@${host}`);
    case 'host as userinfo':
      return origin(`${host}@evil.com`);
    case 'path':
      return `${origin(host)}/`;
  }
}

function originNear(
  written: readonly string[],
): fc.Arbitrary<{ readonly mutation: Mutation; readonly origin: string }> {
  const entries = written.length > 0 ? written : ['https://app.example.com'];
  return (
    fc
      // About half the probes are listed origins (or pattern fillings), so allowed cases are as common as refused ones.
      .tuple(
        fc.constantFrom(...entries),
        fc.oneof(
          { arbitrary: fc.constant('as listed' as const), weight: 2 },
          { arbitrary: fc.constantFrom(...MUTATIONS), weight: 3 },
        ),
        fc.constantFrom(...FILLERS),
      )
      .map(([entry, mutation, filler]) => ({ mutation, origin: mutate(entry, mutation, filler) }))
  );
}

describe('origin matching (property)', () => {
  it('allows exactly the written origins, and pattern matches by the stated rule, for written spellings and their mutations', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(
        validAllowlist.chain((list) =>
          fc.tuple(fc.constant(list), fc.array(originNear(list), { minLength: 1, maxLength: 6 })),
        ),
        ([written, probes]) => {
          const policy = compilePolicy('p', { origins: written });
          for (const { mutation, origin } of probes) {
            const expected = referenceAllows(written, origin);
            expect({ written, origin, allowed: isListedOrigin(policy, origin) }).toEqual({
              written,
              origin,
              allowed: expected,
            });
            coverage.count(expected ? 'allowed' : 'refused');
            coverage.count(mutation);
          }
        },
      ),
      { numRuns: 600 },
    );
    coverage.expectAtLeast({ allowed: 400, refused: 400, ...Object.fromEntries(MUTATIONS.map((m) => [m, 30])) });
  });
});

// ---------------------------------------------------------------------------
// Configurations of any shape.

describe('parsing any configuration (property)', () => {
  const garbageEntry = fc.oneof(
    fc.string(),
    fc.constantFrom('*', 'https://*.com', 'http://a.com/', 'https://*x.com', 'ftp://a.com', 'https://a.com/x'),
  );
  const writtenList = fc.array(
    fc.oneof(
      { arbitrary: writtenEntry, weight: 12 },
      { arbitrary: fc.constant('null'), weight: 1 },
      { arbitrary: garbageEntry, weight: 1 },
    ),
    {
      maxLength: 5,
    },
  );
  const tokens = fc.array(fc.constantFrom('GET', 'post', 'X-Trace', 'Content-Type'), { maxLength: 3 });
  const anyOptions = fc.record(
    {
      origins: fc.oneof(
        { arbitrary: writtenList, weight: 10 },
        { arbitrary: fc.constant('*'), weight: 1 },
        { arbitrary: fc.anything(), weight: 1 },
      ),
      methods: fc.oneof(
        { arbitrary: tokens, weight: 10 },
        { arbitrary: fc.array(fc.string(), { maxLength: 3 }), weight: 1 },
        { arbitrary: fc.anything(), weight: 1 },
      ),
      allowedHeaders: fc.oneof({ arbitrary: tokens, weight: 10 }, { arbitrary: fc.anything(), weight: 1 }),
      credentials: fc.oneof({ arbitrary: fc.boolean(), weight: 10 }, { arbitrary: fc.anything(), weight: 1 }),
      maxAge: fc.oneof(
        { arbitrary: fc.integer({ min: 0, max: 86_400 }), weight: 10 },
        { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.anything()), weight: 1 },
      ),
      // The unsafe entries' refusals are tested in unsafe-origins.spec.ts; here, what a policy allows.
      tolerate: fc.constant(TOLERABLE_RISKS),
    },
    { requiredKeys: [] },
  );

  it('yields a valid policy or a clear error, never a policy that allows more than was written', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(
        anyOptions.chain((options) => {
          const written = Array.isArray(options.origins)
            ? (options.origins as unknown[]).filter((o): o is string => typeof o === 'string')
            : [];
          return fc.tuple(fc.constant(options), fc.array(originNear(written), { minLength: 1, maxLength: 6 }));
        }),
        ([options, probes]) => {
          let policy: CompiledCorsPolicy;
          try {
            policy = compilePolicy('p', options as CorsPolicyOptions);
          } catch (error) {
            expect(error).toBeInstanceOf(CorsPolicyError);
            expect((error as CorsPolicyError).message).toMatch(/^Invalid CORS policy 'p': \S/);
            coverage.count('refused configuration');
            return;
          }
          coverage.count('compiled configuration');
          if (options.origins === '*') return;
          // Compiled, so the origins were undefined or a list of strings: exactly what was written.
          const written = (options.origins ?? []) as readonly string[];
          for (const { origin } of probes) {
            const expected = referenceAllows(written, origin);
            expect({ written, origin, allowed: isListedOrigin(policy, origin) }).toEqual({
              written,
              origin,
              allowed: expected,
            });
            coverage.count(expected ? 'allowed probe' : 'refused probe');
          }
        },
      ),
      RUNS,
    );
    coverage.expectAtLeast({
      'compiled configuration': 150,
      'refused configuration': 100,
      'allowed probe': 100,
      'refused probe': 300,
    });
  });
});

// ---------------------------------------------------------------------------
// Decisions over whole policies and requests.

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];
const HEADERS = ['Content-Type', 'X-Trace', 'Authorization', 'X-Evil', 'accept'];

/** Methods as written in a policy: any case (the compiler upper-cases them). */
const writtenMethod = fc
  .tuple(fc.constantFrom(...METHODS), fc.boolean())
  .map(([m, lower]) => (lower ? m.toLowerCase() : m));

const policyOptions: fc.Arbitrary<CorsPolicyOptions> = fc
  .record({
    origins: fc.oneof({ arbitrary: fc.constant('*' as const), weight: 1 }, { arbitrary: validAllowlist, weight: 4 }),
    methods: fc.option(fc.uniqueArray(writtenMethod, { minLength: 1, maxLength: 4 }), { nil: undefined }),
    allowedHeaders: fc.uniqueArray(fc.constantFrom(...HEADERS), { maxLength: 3 }),
    exposedHeaders: fc.uniqueArray(fc.constantFrom(...HEADERS), { maxLength: 2 }),
    credentials: fc.boolean(),
    maxAge: fc.integer({ min: 0, max: 86_400 }),
    tolerate: fc.constant(TOLERABLE_RISKS),
    strict: fc.boolean(),
  })
  // '*' with credentials is refused at start-up (tested in compile-policy.spec.ts): never generate it here.
  .map((options) => (options.origins === '*' ? { ...options, credentials: false } : options));

/** The written methods as the README states them: upper-cased, GET implies HEAD, GET/HEAD/POST by default. */
function referenceMethods(options: CorsPolicyOptions): ReadonlySet<string> {
  const methods = (options.methods ?? ['GET', 'HEAD', 'POST']).map((m) => m.toUpperCase());
  return new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods);
}

function referenceOriginAllowed(options: CorsPolicyOptions, origin: string): boolean {
  return options.origins === '*' || referenceAllows(options.origins ?? [], origin);
}

const writtenOrigins = (options: CorsPolicyOptions): readonly string[] =>
  options.origins === '*' || options.origins === undefined ? [] : options.origins;

/**
 * Requests conditioned on the policy so that allowed and refused ones are both
 * common: the origin is a listed one or a mutation, the method one the policy
 * names (in any case) or another, the headers the policy's (in any case) or
 * with one more.
 */
function requestFor(options: CorsPolicyOptions, kind: 'preflight' | 'actual'): fc.Arbitrary<CorsRequestFacts> {
  const written = writtenOrigins(options);
  const near = originNear(written).map((p) => p.origin);
  /** A written entry as a browser sends it; a pattern filled with a valid label. */
  const listed =
    written.length === 0
      ? near
      : fc
          .tuple(fc.constantFrom(...written), fc.constantFrom('a', 'a.b', 'x-1.y'))
          .map(([entry, filler]) => mutate(entry, 'as listed', filler));
  const origin = fc.oneof({ arbitrary: listed, weight: 3 }, { arbitrary: near, weight: 2 });
  const named = [...(options.methods ?? ['GET', 'POST'])];
  const method = fc.oneof(
    { arbitrary: fc.constantFrom(...named).map((m) => m.toUpperCase()), weight: 3 },
    { arbitrary: fc.constantFrom(...named), weight: 1 },
    { arbitrary: fc.constantFrom(...METHODS, 'get', 'OPTIONS'), weight: 1 },
  );
  const policyHeaders = options.allowedHeaders ?? [];
  const casedHeader = (name: string, how: number) =>
    how === 0 ? name : how === 1 ? name.toLowerCase() : name.toUpperCase();
  const granted = fc
    .subarray([...policyHeaders])
    .chain((names) =>
      fc.tuple(...names.map((name) => fc.integer({ min: 0, max: 2 }).map((how) => casedHeader(name, how)))),
    );
  const requestHeaders = fc.oneof(
    { arbitrary: granted, weight: 3 },
    { arbitrary: fc.tuple(granted, fc.constantFrom(...HEADERS)).map(([names, extra]) => [...names, extra]), weight: 1 },
  );
  if (kind === 'actual') {
    return fc.record({
      method: method.filter((m) => m !== 'OPTIONS'),
      origin: fc.option(origin, { nil: undefined, freq: 8 }),
      selfOrigin: fc.constant('http://localhost:5000'),
      requestMethod: fc.constant(undefined),
      requestHeaders: fc.constant(undefined),
      carriesCookies: fc.boolean(),
    });
  }
  return fc.record({
    method: fc.constant('OPTIONS'),
    origin,
    selfOrigin: fc.constant('http://localhost:5000'),
    requestMethod: method,
    requestHeaders: requestHeaders.map((names) => (names.length === 0 ? undefined : names.join(', '))),
    carriesCookies: fc.boolean(),
  });
}

const header = (decision: CorsDecision, name: string) => decision.headers.find(([key]) => key === name)?.[1];
const compiled = (options: CorsPolicyOptions): CompiledCorsPolicy => compilePolicy('p', options);

describe('decisions (property)', () => {
  it("answer Allow-Origin with the request's own origin or '*', and never '*' with credentials", () => {
    const coverage = new Coverage();
    const cases = policyOptions.chain((options) =>
      fc.tuple(fc.constant(options), fc.oneof(requestFor(options, 'actual'), requestFor(options, 'preflight'))),
    );
    fc.assert(
      fc.property(cases, ([options, facts]) => {
        const decision = decideCors(compiled(options), facts) as CorsDecision;
        const allowOrigin = header(decision, 'Access-Control-Allow-Origin');
        expect([undefined, '*', facts.origin]).toContain(allowOrigin);
        if (allowOrigin === '*') expect(header(decision, 'Access-Control-Allow-Credentials')).toBeUndefined();
        if (header(decision, 'Access-Control-Allow-Credentials') !== undefined) expect(allowOrigin).toBe(facts.origin);
        if (!decision.allowed) expect(decision.headers).toEqual([]);
        if (allowOrigin !== undefined && allowOrigin !== '*' && !referenceOriginAllowed(options, allowOrigin)) {
          throw new Error(`reflected ${allowOrigin}, which ${JSON.stringify(options.origins)} does not allow`);
        }
        coverage.count(
          allowOrigin === undefined ? 'no Allow-Origin' : allowOrigin === '*' ? "'*'" : 'reflected origin',
        );
        if (header(decision, 'Access-Control-Allow-Credentials') !== undefined) coverage.count('with credentials');
      }),
      RUNS,
    );
    coverage.expectAtLeast({ 'reflected origin': 100, "'*'": 25, 'no Allow-Origin': 100, 'with credentials': 50 });
  });

  it('allow a preflight exactly when the written policy allows its origin, method and every header', () => {
    const coverage = new Coverage();
    const cases = policyOptions.chain((options) => fc.tuple(fc.constant(options), requestFor(options, 'preflight')));
    fc.assert(
      fc.property(cases, ([options, facts]) => {
        const decision = decideCors(compiled(options), facts) as CorsDecision;
        const requested = (facts.requestHeaders ?? '')
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter((h) => h !== '');
        const writtenHeaders = (options.allowedHeaders ?? []).map((h) => h.toLowerCase());
        const originOk = facts.origin !== undefined && referenceOriginAllowed(options, facts.origin);
        const methodOk = referenceMethods(options).has(facts.requestMethod ?? '');
        const headersOk = requested.every((h) => writtenHeaders.includes(h));
        expect({ facts, allowed: decision.allowed }).toEqual({ facts, allowed: originOk && methodOk && headersOk });
        if (decision.allowed) {
          const grantedMethods = (header(decision, 'Access-Control-Allow-Methods') ?? '').split(', ');
          expect(grantedMethods.every((m) => referenceMethods(options).has(m))).toBe(true);
          const grantedHeaders = (header(decision, 'Access-Control-Allow-Headers') ?? '')
            .split(', ')
            .filter((h) => h !== '');
          expect(grantedHeaders.every((h) => (options.allowedHeaders ?? []).includes(h))).toBe(true);
          coverage.count('allowed');
        } else {
          expect(decision.headers).toEqual([]);
          coverage.count(!originOk ? 'refused: origin' : !methodOk ? 'refused: method' : 'refused: header');
        }
      }),
      { numRuns: 600 },
    );
    coverage.expectAtLeast({ allowed: 200, 'refused: origin': 60, 'refused: method': 50, 'refused: header': 30 });
  });
});

// ---------------------------------------------------------------------------
// The origin index is shared by every entry of a policy: exact origins in one
// Set, patterns by their domain. An index that let entries meet (GHSA-vhxv-
// fg4m-p2w8 in another library: `foo.com` + `bar.com` allowed `barfoo.com`)
// would allow an origin that no entry allows by itself.

describe('several entries, one index', () => {
  /** Labels that are suffixes and prefixes of one another, so that entries share them. */
  const label = fc.constantFrom('foo', 'bar', 'barfoo', 'foobar', 'oo', 'b', 'a-b', 'ab');
  const domain = fc
    .tuple(fc.array(label, { minLength: 1, maxLength: 2 }), fc.constantFrom('com', 'net', 'co.uk'))
    .map(([labels, tld]) => `${labels.join('.')}.${tld}`);
  const scheme = fc.constantFrom('https', 'http');
  const port = fc.constantFrom('', ':8443');
  const entry = fc.oneof(
    fc.tuple(scheme, domain, port).map(([s, d, p]) => `${s}://${d}${p}`),
    fc
      .tuple(scheme, domain, port)
      .filter(([, d]) => d.includes('.') && d.split('.').length > 2)
      .map(([s, d, p]) => `${s}://*.${d}${p}`),
  );
  const probe = fc
    .tuple(scheme, fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('com', 'net', 'co.uk', 'uk'), port)
    .map(([s, labels, tld, p]) => `${s}://${labels.join('.')}.${tld}${p}`);
  /** A probe made from the entries themselves: their hosts joined, cut or prefixed, as a suffix or prefix trick would. */
  const nearProbe = (entries: readonly string[]) =>
    fc
      .tuple(fc.constantFrom(...entries), fc.constantFrom('', 'x', 'bar', 'foo.', 'a-'), fc.constantFrom(0, 1, 2))
      .map(([written, prefix, cut]) => {
        const [writtenScheme = 'https', rest = ''] = written.replace('*.', '').split('://');
        return `${writtenScheme}://${prefix}${rest.slice(cut)}`;
      });

  /** A probe one entry allows: an exact origin as written, or a pattern's domain under a label. */
  const allowedProbe = (entries: readonly string[]) =>
    fc.tuple(fc.constantFrom(...entries), label).map(([written, sub]) => written.replace('*', sub));

  it('allows an origin exactly when one of the entries, alone, allows it (property)', () => {
    const coverage = new Coverage();
    fc.assert(
      fc.property(
        fc
          .uniqueArray(entry, { minLength: 2, maxLength: 6 })
          .chain((entries) =>
            fc.tuple(
              fc.constant(entries),
              fc.array(fc.oneof(probe, nearProbe(entries), allowedProbe(entries)), { minLength: 1, maxLength: 8 }),
            ),
          ),
        ([entries, probes]) => {
          const together = compilePolicy('together', { origins: entries });
          const alone = entries.map((written, index) => compilePolicy(`alone${index}`, { origins: [written] }));
          for (const origin of probes) {
            const expected = alone.some((policy) => isListedOrigin(policy, origin));
            coverage.count(expected ? 'allowed' : 'refused');
            if (isListedOrigin(together, origin) !== expected) return false;
          }
          return true;
        },
      ),
      RUNS,
    );
    coverage.expectAtLeast({ allowed: 300, refused: 1000 });
  });
});
