import { compilePolicy } from './compile-policy.js';
import {
  appendVary,
  type CorsDecision,
  type CorsRequestFacts,
  decideCors,
  describeRejection,
  isPreflight,
  parseHeaderList,
  rejectionReasonHeaderValue,
} from './cors-headers.js';
import type { CorsPolicyOptions } from './policy.js';

const FRONTEND: CorsPolicyOptions = {
  origins: ['http://localhost:1234'],
  methods: ['POST'],
  allowedHeaders: ['Content-Type'],
  exposedHeaders: ['X-Request-Id'],
  maxAge: 60,
};
const frontend = compilePolicy('frontend', FRONTEND);
const withCredentials = compilePolicy('frontend', { ...FRONTEND, credentials: true });
const publicPolicy = compilePolicy('public', { origins: '*', methods: ['GET'] });

function facts(overrides: Partial<CorsRequestFacts>): CorsRequestFacts {
  return {
    method: 'POST',
    origin: 'http://localhost:1234',
    selfOrigin: 'http://localhost:5000',
    requestMethod: undefined,
    requestHeaders: undefined,
    ...overrides,
  };
}

function preflight(overrides: Partial<CorsRequestFacts> = {}): CorsRequestFacts {
  return facts({ method: 'OPTIONS', requestMethod: 'POST', requestHeaders: 'content-type', ...overrides });
}

function decide(policy = frontend, request = facts({})): CorsDecision {
  const decision = decideCors(policy, request);
  if (decision instanceof Promise) throw new Error('expected a synchronous decision');
  return decision;
}

const headerNames = (decision: CorsDecision) => decision.headers.map(([name]) => name);

describe('isPreflight', () => {
  it.each([
    [{ method: 'OPTIONS', requestMethod: 'POST' }, true],
    [{ method: 'OPTIONS', requestMethod: undefined }, false],
    [{ method: 'OPTIONS', requestMethod: 'POST', origin: undefined }, false],
    [{ method: 'POST', requestMethod: 'POST' }, false],
  ])('%j → %s', (overrides, expected) => {
    expect(isPreflight(facts(overrides))).toBe(expected);
  });
});

describe('parseHeaderList', () => {
  it('splits a comma list with optional spaces and lower-cases names', () => {
    expect(parseHeaderList('Content-Type ,X-Trace,,  x-other')).toEqual(['content-type', 'x-trace', 'x-other']);
    expect(parseHeaderList(undefined)).toEqual([]);
  });
});

describe('preflight decisions', () => {
  it('allows a listed origin, method and header with every preflight header', () => {
    expect(decide(frontend, preflight())).toEqual({
      kind: 'preflight',
      allowed: true,
      headers: [
        ['Access-Control-Allow-Origin', 'http://localhost:1234'],
        ['Access-Control-Allow-Methods', 'POST'],
        ['Access-Control-Allow-Headers', 'Content-Type'],
        ['Access-Control-Max-Age', '60'],
      ],
      vary: ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'],
    });
  });

  it('compares requested header names case-insensitively', () => {
    expect(decide(frontend, preflight({ requestHeaders: 'Content-Type' })).allowed).toBe(true);
  });

  it('adds Allow-Credentials only when the policy enables it', () => {
    expect(decide(withCredentials, preflight()).headers).toContainEqual(['Access-Control-Allow-Credentials', 'true']);
    expect(headerNames(decide(frontend, preflight()))).not.toContain('Access-Control-Allow-Credentials');
  });

  it.each([
    ['an unlisted origin', preflight({ origin: 'https://evil.com' }), 'origin-not-allowed'],
    ['two origins', preflight({ origin: 'http://localhost:1234, https://evil.com' }), 'multiple-origins'],
    ['a method outside the policy', preflight({ requestMethod: 'DELETE' }), 'method-not-allowed'],
    ['a lower-case method (methods are case-sensitive)', preflight({ requestMethod: 'post' }), 'method-not-allowed'],
    ['a header outside the policy', preflight({ requestHeaders: 'content-type, x-evil' }), 'header-not-allowed'],
    ['authorization', preflight({ requestHeaders: 'authorization' }), 'header-not-allowed'],
  ])('refuses %s with no Access-Control-* header', (_label, request, code) => {
    const decision = decide(frontend, request);
    expect(decision.allowed).toBe(false);
    expect(decision.rejection?.code).toBe(code);
    expect(decision.headers).toEqual([]);
    expect(decision.vary).toContain('Origin');
  });

  it("answers '*' for a public policy and varies only on the request headers", () => {
    const decision = decide(publicPolicy, preflight({ requestMethod: 'GET', requestHeaders: undefined }));
    expect(decision.headers[0]).toEqual(['Access-Control-Allow-Origin', '*']);
    expect(decision.vary).toEqual(['Access-Control-Request-Method', 'Access-Control-Request-Headers']);
  });
});

describe('actual request decisions', () => {
  it('allows a listed origin with Allow-Origin and Expose-Headers', () => {
    expect(decide()).toEqual({
      kind: 'actual',
      allowed: true,
      headers: [
        ['Access-Control-Allow-Origin', 'http://localhost:1234'],
        ['Access-Control-Expose-Headers', 'X-Request-Id'],
      ],
      vary: ['Origin'],
    });
  });

  it('never reflects a disallowed origin', () => {
    const decision = decide(frontend, facts({ origin: 'https://evil.com' }));
    expect(decision).toMatchObject({ allowed: false, headers: [], vary: ['Origin'] });
    expect(decision.rejection).toEqual({ code: 'origin-not-allowed', origin: 'https://evil.com' });
  });

  it('passes requests without Origin with Vary: Origin and no CORS header', () => {
    expect(decide(frontend, facts({ origin: undefined }))).toEqual({ kind: 'not-cors', allowed: true, headers: [], vary: ['Origin'] });
  });

  it('passes same-origin requests without CORS headers', () => {
    expect(decide(frontend, facts({ origin: 'http://localhost:5000' }))).toMatchObject({ kind: 'not-cors', allowed: true, headers: [] });
  });

  it('treats an OPTIONS without Access-Control-Request-Method as not CORS', () => {
    expect(decide(publicPolicy, facts({ method: 'OPTIONS' }))).toMatchObject({ kind: 'not-cors', headers: [] });
  });

  it('refuses a cross-origin method outside the policy', () => {
    expect(decide(frontend, facts({ method: 'DELETE' })).rejection).toEqual({ code: 'method-not-allowed', method: 'DELETE' });
  });

  it("answers '*' to everyone on a public policy, without Vary", () => {
    for (const origin of ['https://anyone.test', undefined]) {
      const decision = decide(publicPolicy, facts({ method: 'GET', origin }));
      expect(decision.headers).toEqual([['Access-Control-Allow-Origin', '*']]);
      expect(decision.vary).toEqual([]);
    }
  });

  it('adds Allow-Credentials only when enabled', () => {
    expect(decide(withCredentials).headers).toContainEqual(['Access-Control-Allow-Credentials', 'true']);
  });

  it('waits for an origin predicate and refuses when it fails', async () => {
    const policy = compilePolicy('db', {
      originPredicate: (origin) => (origin === 'https://ok.test' ? Promise.resolve(true) : Promise.reject(new Error('db down'))),
    });
    await expect(decideCors(policy, facts({ origin: 'https://ok.test' }))).resolves.toMatchObject({ allowed: true });
    const refused = await decideCors(policy, facts({ origin: 'https://other.test' }));
    expect(refused).toMatchObject({ allowed: false, headers: [] });
    expect(refused.rejection?.code).toBe('origin-predicate-failed');
  });
});

describe('appendVary', () => {
  it.each([
    [undefined, ['Origin'], 'Origin'],
    ['Accept-Encoding', ['Origin'], 'Accept-Encoding, Origin'],
    ['origin', ['Origin'], 'origin'],
    ['*', ['Origin'], '*'],
    ['Accept', [], 'Accept'],
  ])('%s + %j → %s', (existing, values, expected) => {
    expect(appendVary(existing, values)).toBe(expected);
  });
});

describe('describeRejection', () => {
  it.each([
    [{ code: 'origin-not-allowed', origin: 'https://evil.com' }, `origin "https://evil.com" is not in policy 'frontend' (allowed: http://localhost:1234)`],
    [{ code: 'method-not-allowed', method: 'DELETE' }, `method "DELETE" is not in the allowed methods of 'frontend' (allowed: POST)`],
    [{ code: 'header-not-allowed', header: 'x-evil' }, `header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type)`],
    [{ code: 'multiple-origins', origin: 'a, b' }, 'the request carries several Origin values ("a, b"); browsers send exactly one'],
    [{ code: 'method-not-served', method: 'PUT', path: '/greet' }, 'no handler serves method "PUT" at /greet'],
  ] as const)('%j', (rejection, sentence) => {
    expect(describeRejection(rejection, frontend)).toBe(sentence);
  });

  it('keeps untrusted values on one short line', () => {
    const sentence = describeRejection({ code: 'header-not-allowed', header: `a\n${'x'.repeat(500)}` }, frontend);
    expect(sentence).not.toContain('\n');
    expect(sentence.length).toBeLessThan(320);
  });

  it('names at most ten allowed origins of a long allowlist', () => {
    const origins = Array.from({ length: 1000 }, (_, i) => `https://app-${i}.example.com`);
    const sentence = describeRejection({ code: 'origin-not-allowed', origin: 'https://evil.com' }, compilePolicy('big', { origins }));
    expect(sentence).toBe(
      `origin "https://evil.com" is not in policy 'big' (allowed: ${origins.slice(0, 10).join(', ')} and 990 more)`,
    );
  });
});

describe('rejectionReasonHeaderValue', () => {
  it('keeps a plain sentence as it is', () => {
    expect(rejectionReasonHeaderValue('origin "https://evil.test" is not in policy \'frontend\'')).toBe('origin "https://evil.test" is not in policy \'frontend\'');
  });

  it('escapes every byte outside printable ASCII, so no request byte reaches the header raw', () => {
    expect(rejectionReasonHeaderValue('origin "https://é.test\r\nSet-Cookie: x" refused')).toBe('origin "https://\\u00e9.test\\u000d\\u000aSet-Cookie: x" refused');
  });

  it('bounds the value at 300 characters', () => {
    const value = rejectionReasonHeaderValue(`origin "${'a'.repeat(1000)}" refused`);
    expect(value).toHaveLength(300);
    expect(value.endsWith('...')).toBe(true);
  });
});
