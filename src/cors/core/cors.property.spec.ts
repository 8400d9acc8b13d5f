/**
 * Properties of the framework-free core over random allowlists, origins,
 * policies and requests (fast-check). The origin rule is checked against a
 * reference written independently from the implementation.
 */
import fc from 'fast-check';
import { compilePolicy, CorsPolicyError } from './compile-policy.js';
import { type CorsDecision, type CorsRequestFacts, decideCors, parseHeaderList } from './cors-headers.js';
import { isListedOrigin } from './origin-matcher.js';
import type { CompiledCorsPolicy, CorsPolicyOptions } from './policy.js';

const RUNS = { numRuns: 300 };

const label = fc.constantFrom('a', 'b', 'app', 'x-1', 'evil', 'api2', 'example', 'com');
const tld = fc.constantFrom('com', 'org', 'net');
const scheme = fc.constantFrom('http', 'https');
const port = fc.constantFrom('', ':8080', ':8443');
const domain = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), tld).map(([labels, top]) => [...labels, top].join('.'));
const exactOrigin = fc.tuple(scheme, domain, port).map(([s, d, p]) => `${s}://${d}${p}`);
const pattern = fc.tuple(scheme, domain, port).map(([s, d, p]) => `${s}://*.${d}${p}`);

/** Labels to put where a pattern's `*` stands: valid, invalid, and too long for a host name. */
const wildcardLabels = fc.constantFrom('a', 'a.b', 'x-1.y', 'x_y', '-a', 'a-', '', 'a..b', '.a', 'A', 'a'.repeat(64), 'a.'.repeat(130) + 'a', 'a b', 'a@b', 'a/b');

/** Origins near the allowlist: listed ones, their mutations, pattern fillings, and unrelated ones. */
function originNear(allowlist: readonly string[]): fc.Arbitrary<string> {
  const listed = allowlist.length > 0 ? fc.constantFrom(...allowlist) : exactOrigin;
  const filled = fc.tuple(listed, wildcardLabels).map(([entry, labels]) => entry.replace('*', labels));
  const base = fc.oneof(listed, exactOrigin).map((o) => o.replace('*.', ''));
  const mutated = fc.tuple(base, fc.constantFrom('sub.', 'a.b.', '', '-x.', 'x_y.'), fc.constantFrom('', '.evil.com', '/', '.', ':8080', 'x')).map(
    ([origin, prefix, suffix]) => origin.replace('://', `://${prefix}`) + suffix,
  );
  const switched = base.map((o) => (o.startsWith('https') ? o.replace('https', 'http') : o.replace('http', 'https')));
  return fc.oneof(
    { arbitrary: filled, weight: 4 },
    { arbitrary: listed.map((o) => o.replace('*.', 'z.')), weight: 1 },
    { arbitrary: base, weight: 1 },
    { arbitrary: mutated, weight: 2 },
    { arbitrary: switched, weight: 1 },
    { arbitrary: base.map((o) => o.toUpperCase()), weight: 1 },
    { arbitrary: fc.string(), weight: 1 },
  );
}

/** The origin rule, written from the README rather than from the code. */
function referenceAllows(allowlist: readonly string[], origin: string): boolean {
  if (allowlist.includes(origin)) return true;
  const parts = /^(https?):\/\/([^:/]+)(:\d+)?$/.exec(origin);
  if (!parts) return false;
  const [, originScheme, host = '', originPort = ''] = parts;
  return allowlist.some((entry) => {
    const p = /^(https?):\/\/\*\.([^:]+)(:\d+)?$/.exec(entry);
    if (!p || p[1] !== originScheme || (p[3] ?? '') !== originPort || host.length > 253) return false;
    const suffix = `.${p[2] ?? ''}`;
    if (!host.endsWith(suffix)) return false;
    const labels = host.slice(0, -suffix.length).split('.');
    return labels.every((l) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(l) && l.length <= 63);
  });
}

const allowlist = fc.uniqueArray(fc.oneof(exactOrigin, pattern), { minLength: 1, maxLength: 6 });

describe('origin matching (property)', () => {
  it('allows an origin only if it equals a listed origin or matches a pattern by the stated rule', () => {
    fc.assert(
      fc.property(allowlist.chain((list) => fc.tuple(fc.constant(list), originNear(list))), ([list, origin]) => {
        const policy = compilePolicy('p', { origins: list });
        expect(isListedOrigin(policy, origin)).toBe(referenceAllows(list, origin));
      }),
      RUNS,
    );
  });
});

const methodName = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'post', 'OPTIONS');
const headerName = fc.constantFrom('Content-Type', 'X-Trace', 'Authorization', 'X-Evil', 'accept');

const policyOptions: fc.Arbitrary<CorsPolicyOptions> = fc.record(
  {
    origins: fc.oneof(fc.constant('*' as const), allowlist),
    methods: fc.uniqueArray(methodName, { maxLength: 4 }),
    allowedHeaders: fc.uniqueArray(headerName, { maxLength: 3 }),
    exposedHeaders: fc.uniqueArray(headerName, { maxLength: 2 }),
    credentials: fc.boolean(),
    maxAge: fc.integer({ min: 0, max: 86_400 }),
    strict: fc.boolean(),
  },
  { requiredKeys: [] },
);

function factsFor(policy: CorsPolicyOptions): fc.Arbitrary<CorsRequestFacts> {
  const list = policy.origins === '*' || policy.origins === undefined ? [] : policy.origins;
  return fc.record({
    method: fc.oneof(methodName, fc.constant('OPTIONS')),
    origin: fc.option(originNear(list), { nil: undefined }),
    selfOrigin: fc.constant('http://localhost:5000'),
    requestMethod: fc.option(methodName, { nil: undefined }),
    requestHeaders: fc.option(fc.uniqueArray(headerName, { maxLength: 3 }).map((h) => h.join(', ')), { nil: undefined }),
  });
}

function compiledOrSkip(options: CorsPolicyOptions): CompiledCorsPolicy | undefined {
  try {
    return compilePolicy('p', options);
  } catch (error) {
    if (error instanceof CorsPolicyError) return undefined;
    throw error;
  }
}

const header = (decision: CorsDecision, name: string) => decision.headers.find(([key]) => key === name)?.[1];

const decisions = policyOptions.chain((options) => fc.tuple(fc.constant(options), factsFor(options)));

describe('decisions (property)', () => {
  it("answer Allow-Origin with the request's own origin or '*', and never '*' with credentials", () => {
    fc.assert(
      fc.property(decisions, ([options, facts]) => {
        const policy = compiledOrSkip(options);
        if (!policy) return;
        const decision = decideCors(policy, facts) as CorsDecision;
        const allowOrigin = header(decision, 'Access-Control-Allow-Origin');
        expect([undefined, '*', facts.origin]).toContain(allowOrigin);
        if (allowOrigin === '*') expect(header(decision, 'Access-Control-Allow-Credentials')).toBeUndefined();
        if (header(decision, 'Access-Control-Allow-Credentials') !== undefined) expect(allowOrigin).toBe(facts.origin);
        if (!decision.allowed) expect(decision.headers).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never grant a preflight a method or a header the policy lacks', () => {
    fc.assert(
      fc.property(decisions, ([options, facts]) => {
        const policy = compiledOrSkip(options);
        if (!policy) return;
        const decision = decideCors(policy, facts) as CorsDecision;
        if (decision.kind !== 'preflight' || !decision.allowed) return;
        expect(policy.methods.has(facts.requestMethod ?? '')).toBe(true);
        for (const requested of parseHeaderList(facts.requestHeaders)) expect(policy.allowedHeaders.has(requested)).toBe(true);
        const granted = (header(decision, 'Access-Control-Allow-Methods') ?? '').split(', ');
        expect(granted.every((m) => policy.methods.has(m))).toBe(true);
        for (const name of parseHeaderList(header(decision, 'Access-Control-Allow-Headers'))) expect(policy.allowedHeaders.has(name)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('parsing any configuration (property)', () => {
  const entry = fc.oneof(exactOrigin, pattern, fc.string(), fc.constantFrom('*', 'null', 'https://*.com', 'http://a.com/', 'https://*x.com'));
  const anyOptions = fc.record(
    {
      origins: fc.oneof(fc.array(entry, { maxLength: 4 }), fc.constant('*'), fc.anything()),
      methods: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.anything()),
      allowedHeaders: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.anything()),
      credentials: fc.oneof(fc.boolean(), fc.anything()),
      maxAge: fc.oneof(fc.integer(), fc.double(), fc.anything()),
    },
    { requiredKeys: [] },
  );

  it('yields a valid policy or a clear error, never a policy that allows more than was written', () => {
    fc.assert(
      fc.property(anyOptions, fc.array(fc.oneof(exactOrigin, fc.string()), { maxLength: 5 }), (options, probes) => {
        let policy: CompiledCorsPolicy;
        try {
          policy = compilePolicy('p', options as CorsPolicyOptions);
        } catch (error) {
          expect(error).toBeInstanceOf(CorsPolicyError);
          expect((error as CorsPolicyError).message).toMatch(/^Invalid CORS policy 'p': \S/);
          return;
        }
        const written = Array.isArray(options.origins) ? (options.origins as string[]) : [];
        for (const origin of probes) {
          if (!isListedOrigin(policy, origin)) continue;
          const normalisedWritten = policy.declared.origins === '*' ? ['*'] : policy.declared.origins;
          expect(options.origins === '*' || normalisedWritten.some((w) => w === origin || referenceAllows([w], origin))).toBe(true);
          expect(options.origins === '*' || written.length > 0).toBe(true);
        }
      }),
      RUNS,
    );
  });
});
