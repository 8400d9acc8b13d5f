import { compilePolicy } from './compile-policy.js';
import {
  appendVary,
  type CorsDecision,
  type CorsRequest,
  type CorsRequestFacts,
  decideCors,
  decideRequest,
  isPreflight,
  parseHeaderList,
} from './cors-decision.js';
import { type IndexedRoute, RoutePathIndex } from './path-index.js';
import type { CompiledCorsPolicy } from './policy.js';
import { describeRejection, rejectionReasonHeaderValue } from './rejections.js';
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
    carriesCookies: false,
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
      policy: frontend,
      rejection: undefined,
      resourcePolicy: undefined,
      csrfExempt: false,
      ending: 'preflight',
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
    expect(decision.ending).toBe('refusal');
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
      policy: frontend,
      rejection: undefined,
      resourcePolicy: undefined,
      csrfExempt: true,
      ending: 'continue',
    });
  });

  it('trusts an allowed request for CSRF protection only under a policy that lists origins', () => {
    expect(decide().csrfExempt).toBe(true);
    expect(decide(frontend, facts({ origin: 'https://evil.com' })).csrfExempt).toBe(false);
    expect(decide(frontend, facts({ origin: undefined })).csrfExempt).toBe(false);
    expect(decide(compilePolicy('public', { origins: '*' })).csrfExempt).toBe(false);
  });

  it('trusts a request that carries cookies only under a policy that allows credentials', () => {
    expect(decide(frontend, facts({ carriesCookies: true })).csrfExempt).toBe(false);
    expect(decide(withCredentials, facts({ carriesCookies: true })).csrfExempt).toBe(true);
    expect(decide(withCredentials, facts({ carriesCookies: false })).csrfExempt).toBe(true);
  });

  it('counts facts that do not say whether cookies came as carrying them', () => {
    const older: CorsRequestFacts = {
      method: 'POST',
      origin: 'http://localhost:1234',
      selfOrigin: 'http://localhost:5000',
      requestMethod: undefined,
      requestHeaders: undefined,
    };
    expect(decide(frontend, older).csrfExempt).toBe(false);
    expect(decide(withCredentials, older).csrfExempt).toBe(true);
  });

  it('never reflects a disallowed origin', () => {
    const decision = decide(frontend, facts({ origin: 'https://evil.com' }));
    expect(decision).toMatchObject({ allowed: false, headers: [], vary: ['Origin'] });
    expect(decision.rejection).toEqual({ code: 'origin-not-allowed', origin: 'https://evil.com' });
  });

  it('passes requests without Origin with Vary: Origin and no CORS header', () => {
    expect(decide(frontend, facts({ origin: undefined }))).toEqual({
      kind: 'not-cors',
      allowed: true,
      rejection: undefined,
      headers: [],
      vary: ['Origin'],
      policy: frontend,
      resourcePolicy: undefined,
      csrfExempt: false,
      ending: 'continue',
    });
  });

  it('passes same-origin requests without CORS headers', () => {
    expect(decide(frontend, facts({ origin: 'http://localhost:5000' }))).toMatchObject({
      kind: 'not-cors',
      allowed: true,
      headers: [],
    });
  });

  it('treats an OPTIONS without Access-Control-Request-Method as not CORS', () => {
    expect(decide(publicPolicy, facts({ method: 'OPTIONS' }))).toMatchObject({ kind: 'not-cors', headers: [] });
  });

  it('refuses a cross-origin method outside the policy', () => {
    expect(decide(frontend, facts({ method: 'DELETE' })).rejection).toEqual({
      code: 'method-not-allowed',
      method: 'DELETE',
    });
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
      originPredicate: (origin) =>
        origin === 'https://ok.test' ? Promise.resolve(true) : Promise.reject(new Error('db down')),
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
    [
      { code: 'origin-not-allowed', origin: 'https://evil.com' },
      `origin "https://evil.com" is not in policy 'frontend' (allowed: http://localhost:1234)`,
    ],
    [
      { code: 'method-not-allowed', method: 'DELETE' },
      `method "DELETE" is not in the allowed methods of 'frontend' (allowed: POST)`,
    ],
    [
      { code: 'header-not-allowed', header: 'x-evil' },
      `header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type)`,
    ],
    [
      { code: 'multiple-origins', origin: 'a, b' },
      'the request carries several Origin values ("a, b"); browsers send exactly one',
    ],
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
    const sentence = describeRejection(
      { code: 'origin-not-allowed', origin: 'https://evil.com' },
      compilePolicy('big', { origins }),
    );
    expect(sentence).toBe(
      `origin "https://evil.com" is not in policy 'big' (allowed: ${origins.slice(0, 10).join(', ')} and 990 more)`,
    );
  });
});

describe('rejectionReasonHeaderValue', () => {
  it('keeps a plain sentence as it is', () => {
    expect(rejectionReasonHeaderValue('origin "https://evil.test" is not in policy \'frontend\'')).toBe(
      'origin "https://evil.test" is not in policy \'frontend\'',
    );
  });

  it('escapes every byte outside printable ASCII, so no request byte reaches the header raw', () => {
    expect(rejectionReasonHeaderValue('origin "https://é.test\r\nSet-Cookie: x" refused')).toBe(
      'origin "https://\\u00e9.test\\u000d\\u000aSet-Cookie: x" refused',
    );
  });

  it('bounds the value at 300 characters', () => {
    const value = rejectionReasonHeaderValue(`origin "${'a'.repeat(1000)}" refused`);
    expect(value).toHaveLength(300);
    expect(value.endsWith('...')).toBe(true);
  });
});

describe('Timing-Allow-Origin', () => {
  const timed = compilePolicy('timed', { ...FRONTEND, timingAllowOrigin: true });

  it('repeats Access-Control-Allow-Origin on an allowed actual request, and only there', () => {
    expect(decide(timed).headers).toContainEqual(['Timing-Allow-Origin', 'http://localhost:1234']);
    expect(decide(timed, facts({ origin: 'https://evil.com' })).headers).toEqual([]);
    expect(headerNames(decide(timed, preflight()))).not.toContain('Timing-Allow-Origin');
    expect(headerNames(decide(frontend))).not.toContain('Timing-Allow-Origin');
  });

  it("is '*' on a public policy, with or without Origin", () => {
    const publicTimed = compilePolicy('public', { origins: '*', timingAllowOrigin: true });
    expect(decide(publicTimed).headers).toContainEqual(['Timing-Allow-Origin', '*']);
    expect(decide(publicTimed, facts({ origin: undefined })).headers).toContainEqual(['Timing-Allow-Origin', '*']);
  });
});

describe('refusals that end the request', () => {
  const strict = compilePolicy('strict', { ...FRONTEND, strict: true });

  it('ends a refused actual request with a refusal only under a strict policy', () => {
    expect(decide(strict, facts({ origin: 'https://evil.com' })).ending).toBe('refusal');
    expect(decide(frontend, facts({ origin: 'https://evil.com' })).ending).toBe('continue');
  });

  it('lets an allowed request, a same-origin one and one without Origin go on', () => {
    expect(decide(strict).ending).toBe('continue');
    expect(decide(strict, facts({ origin: 'http://localhost:5000' })).ending).toBe('continue');
    expect(decide(strict, facts({ origin: undefined })).ending).toBe('continue');
  });
});

describe('decideRequest: the route, then the decision', () => {
  type Route = IndexedRoute<CompiledCorsPolicy, string>;
  const route = (
    method: string,
    path: string,
    policy: CompiledCorsPolicy | undefined,
    extra: Partial<Route> = {},
  ): Route => ({
    method,
    path,
    policy,
    handler: `Items.${method.toLowerCase()}`,
    host: undefined,
    servesHost: undefined,
    version: undefined,
    servesVersion: undefined,
    ...extra,
  });
  const index = new RoutePathIndex<CompiledCorsPolicy, string>(
    [route('POST', '/items', frontend), route('DELETE', '/items', undefined), route('GET', '/health', undefined)],
    { caseSensitive: true, ignoreTrailingSlash: false },
    ([first]) => first ?? frontend,
  );
  const at = (overrides: Partial<CorsRequestFacts> = {}): CorsRequest<string> => ({
    ...facts(overrides),
    hostname: 'api.test',
    request: 'raw request',
    path: '/items',
  });
  const decideAt = (
    path: string,
    request: CorsRequest<string>,
    chosen?: (request: string) => Route | null,
    others: readonly string[] = [],
  ) => {
    const decision = decideRequest(index, path, request, chosen, others);
    if (decision instanceof Promise) throw new Error('expected a synchronous decision');
    return decision;
  };

  it('leaves alone a path where no route has a policy, and a path no route serves', () => {
    expect(decideAt('/health', at())).toBeUndefined();
    expect(decideAt('/nowhere', at())).toBeUndefined();
    expect(decideRequest(index, undefined, at())).toBeUndefined();
  });

  it("answers an actual request with its handler's policy, and leaves alone a handler without one", () => {
    expect(decideAt('/items', at())).toMatchObject({ kind: 'actual', allowed: true, policy: frontend });
    expect(decideAt('/items', at({ method: 'DELETE' }))).toBeUndefined();
  });

  it('answers a preflight with the policy of the handler of the method it asks about', () => {
    expect(decideAt('/items', at({ method: 'OPTIONS', requestMethod: 'POST' }))).toMatchObject({
      kind: 'preflight',
      allowed: true,
      policy: frontend,
    });
  });

  it('refuses a preflight for a method nobody serves, or whose handler has no policy, naming the method and path', () => {
    expect(decideAt('/items', at({ method: 'OPTIONS', requestMethod: 'PATCH' }))).toMatchObject({
      kind: 'preflight',
      allowed: false,
      ending: 'refusal',
      policy: undefined,
      rejection: { code: 'method-not-served', method: 'PATCH', path: '/items' },
      vary: ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'],
    });
    expect(decideAt('/items', at({ method: 'OPTIONS', requestMethod: 'DELETE' }))?.rejection).toEqual({
      code: 'handler-without-policy',
      method: 'DELETE',
      path: '/items',
    });
  });

  it("takes the router's choice where it has one, unless the route's host filter turns the request away", () => {
    const other = compilePolicy('other', { origins: ['http://localhost:1234'], methods: ['POST'] });
    const chosen = route('POST', '/items', other, { servesHost: (host) => host === 'api.test' });
    expect(decideAt('/items', at(), () => chosen)?.policy).toBe(other);
    expect(decideAt('/items', { ...at(), hostname: 'elsewhere.test' }, () => chosen)).toBeUndefined();
    expect(decideAt('/items', at(), () => null)).toBeUndefined();
  });

  describe('a path another layer reads otherwise', () => {
    const strictOther = compilePolicy('vault', { origins: ['http://localhost:1234'], methods: ['POST'], strict: true });
    const readings = new RoutePathIndex<CompiledCorsPolicy, string>(
      [route('POST', '/items', frontend), route('POST', '/vault', strictOther), route('POST', '/also-items', frontend)],
      { caseSensitive: true, ignoreTrailingSlash: false },
      ([first]) => first ?? frontend,
    );
    const decideWith = (others: readonly string[], request: CorsRequest<string>): CorsDecision | undefined => {
      const decision = decideRequest(readings, '/items', request, undefined, others);
      if (decision instanceof Promise) throw new Error('expected a synchronous decision');
      return decision;
    };

    it('is decided as usual where every reading has the same policy', () => {
      expect(decideWith(['/also-items'], at())).toMatchObject({ kind: 'actual', allowed: true, policy: frontend });
    });

    it('gets no CORS header where a reading has another policy, and a strict policy among them refuses', () => {
      const decision = decideWith(['/vault'], at());
      expect(decision).toMatchObject({
        kind: 'actual',
        allowed: false,
        headers: [],
        ending: 'refusal',
        policy: undefined,
      });
      expect(decision?.rejection).toEqual({
        code: 'ambiguous-path',
        path: '/items',
        reading: '/vault',
        policies: ["'frontend'", "'vault'"],
      });
    });

    it('counts a reading without any policy as another policy', () => {
      expect(decideWith(['/nowhere'], at())).toMatchObject({ allowed: false, headers: [], ending: 'continue' });
      expect(decideWith(['/nowhere'], at())?.rejection).toMatchObject({ policies: ["'frontend'", 'no policy'] });
    });

    it('refuses its preflight, and lets requests without Origin or from the same origin pass without headers', () => {
      expect(decideWith(['/vault'], at({ method: 'OPTIONS', requestMethod: 'POST' }))).toMatchObject({
        kind: 'preflight',
        allowed: false,
        ending: 'refusal',
      });
      expect(decideWith(['/vault'], at({ origin: undefined }))).toMatchObject({
        kind: 'not-cors',
        allowed: true,
        headers: [],
        ending: 'continue',
      });
      expect(decideWith(['/vault'], at({ origin: 'http://localhost:5000' }))).toMatchObject({
        kind: 'not-cors',
        headers: [],
        ending: 'continue',
      });
    });
  });

  describe('a path too long to read every way, where path rules make that matter', () => {
    const strictRule = compilePolicy('rule', { origins: ['http://localhost:1234'], methods: ['POST'], strict: true });
    const withRules = (rule: CompiledCorsPolicy): RoutePathIndex<CompiledCorsPolicy, string> =>
      new RoutePathIndex<CompiledCorsPolicy, string>(
        [route('POST', '/items', frontend), route('ALL', '/files{/*rest}', rule, { pathRule: true })],
        { caseSensitive: true, ignoreTrailingSlash: false },
        ([first]) => first ?? frontend,
      );
    const decideLong = (
      index: RoutePathIndex<CompiledCorsPolicy, string>,
      request: CorsRequest<string>,
    ): CorsDecision | undefined => {
      const decision = decideRequest(
        index,
        '/items',
        { ...request, path: `/${'a'.repeat(3000)}` },
        undefined,
        'unread',
      );
      if (decision instanceof Promise) throw new Error('expected a synchronous decision');
      return decision;
    };

    it('gets no CORS header, says why, and refuses its preflight', () => {
      const decision = decideLong(withRules(frontend), at());
      expect(decision).toMatchObject({ kind: 'actual', allowed: false, headers: [], ending: 'continue' });
      expect(decision?.rejection).toEqual({ code: 'path-too-long', length: 3001, limit: 2048 });
      expect(decideLong(withRules(frontend), at({ method: 'OPTIONS', requestMethod: 'POST' }))).toMatchObject({
        kind: 'preflight',
        allowed: false,
        ending: 'refusal',
      });
    });

    it('is refused where a path rule is strict, since another reading might be its', () => {
      expect(decideLong(withRules(strictRule), at())).toMatchObject({ allowed: false, ending: 'refusal' });
      expect(decideLong(withRules(strictRule), at({ origin: undefined }))).toMatchObject({
        kind: 'not-cors',
        ending: 'continue',
      });
    });
  });
});
