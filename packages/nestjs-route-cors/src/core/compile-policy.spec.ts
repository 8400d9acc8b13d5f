import { compilePolicy, DEFAULT_MAX_AGE, mergePolicyOptions } from './compile-policy.js';
import { CorsPolicyError } from './errors.js';
import type { CorsPolicyOptions } from './policy.js';

/** Freezes the options and every list in them, so that writing to any of them throws (ES modules are strict). */
function deepFreeze(options: CorsPolicyOptions): CorsPolicyOptions {
  for (const value of Object.values(options)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(options);
}

describe('compilePolicy', () => {
  it('puts exact origins in a set and splits patterns once', () => {
    const policy = compilePolicy('p', { origins: ['HTTPS://App.Example.com', 'https://*.example.org'] });
    expect([...policy.exactOrigins]).toEqual(['https://app.example.com']);
    expect(policy.patterns.map((p) => p.source)).toEqual(['https://*.example.org']);
    expect(policy.declared.origins).toEqual(['https://app.example.com', 'https://*.example.org']);
  });

  it('denies by default: no origins, safelisted methods, no headers, no credentials', () => {
    const policy = compilePolicy('p', {});
    expect(policy.exactOrigins.size).toBe(0);
    expect(policy.anyOrigin).toBe(false);
    expect([...policy.methods]).toEqual(['GET', 'HEAD', 'POST']);
    expect(policy.allowedHeaders.size).toBe(0);
    expect(policy.credentials).toBe(false);
    expect(policy.strict).toBe(false);
    expect(policy.maxAgeValue).toBe(String(DEFAULT_MAX_AGE));
  });

  it('upper-cases methods and adds HEAD after GET', () => {
    expect(compilePolicy('p', { methods: ['get', 'delete'] }).allowMethodsValue).toBe('GET, HEAD, DELETE');
  });

  it('compares header names case-insensitively but answers them as written', () => {
    const policy = compilePolicy('p', { allowedHeaders: ['Content-Type', 'content-type', 'X-Trace'] });
    expect([...policy.allowedHeaders]).toEqual(['content-type', 'x-trace']);
    expect(policy.allowHeadersValue).toBe('Content-Type, X-Trace');
  });

  it('precomputes every header value', () => {
    const policy = compilePolicy('p', { exposedHeaders: ['X-Request-Id'], maxAge: 60 });
    expect(policy.exposeHeadersValue).toBe('X-Request-Id');
    expect(policy.maxAgeValue).toBe('60');
    expect(compilePolicy('p', {}).exposeHeadersValue).toBeUndefined();
  });

  it('does not mutate the options it is given', () => {
    // Lists the compiler has every reason to rewrite: duplicates in another case, GET without HEAD, unsorted entries.
    const written = (): CorsPolicyOptions => ({
      origins: ['HTTPS://B.test:443', 'https://*.A.test', 'https://b.test'],
      methods: ['post', 'get', 'POST'],
      allowedHeaders: ['X-Trace', 'content-type', 'Content-Type'],
      exposedHeaders: ['X-Request-Id', 'x-request-id'],
      maxAge: 60,
    });
    const options = written();
    compilePolicy('p', options);
    expect(options).toEqual(written());
    expect(() => compilePolicy('p', deepFreeze(written()))).not.toThrow();
  });

  it.each<[string, CorsPolicyOptions, RegExp]>([
    ["'*' with credentials", { origins: '*', credentials: true }, /origins '\*' cannot be combined with credentials/],
    ["'*' among other origins", { origins: ['*', 'https://a.test'] }, /'\*' must stand alone/],
    ["'*' with a predicate", { origins: '*', originPredicate: () => true }, /remove originPredicate/],
    [
      'a trailing slash',
      { origins: ['http://localhost:1234/'] },
      /origins entry "http:\/\/localhost:1234\/" has a trailing slash/,
    ],
    ['a path', { origins: ['https://a.test/app'] }, /has a path/],
    ['not a URL', { origins: ['not a url'] }, /origins entry "not a url"/],
    ['a mid-label wildcard', { origins: ['https://*example.com'] }, /whole leftmost label/],
    ['an inner wildcard', { origins: ['https://app.*.com'] }, /whole leftmost label/],
    ['a TLD wildcard', { origins: ['https://*.com'] }, /top-level domain/],
    ['origins that are no list', { origins: 'https://a.test' as unknown as '*' }, /origins must be '\*' or a list/],
    ['a non-string origin', { origins: [42 as unknown as string] }, /origins entry 42 is not a string/],
    ['an invalid method', { methods: ['GET POST'] }, /methods entry "GET POST" is not a valid HTTP token/],
    ["'*' as a method", { methods: ['*'] }, /methods entry '\*' is not supported/],
    ['an invalid header', { allowedHeaders: ['x evil'] }, /allowedHeaders entry "x evil"/],
    ["'*' as exposed header", { exposedHeaders: ['*'] }, /exposedHeaders entry '\*' is not supported/],
    ['a negative max-age', { maxAge: -1 }, /maxAge -1 must be a whole number/],
    ['a fractional max-age', { maxAge: 1.5 }, /maxAge 1.5/],
    ['a max-age over a day', { maxAge: 90_000 }, /from 0 to 86400/],
    ['a non-boolean credentials', { credentials: 'true' as unknown as boolean }, /credentials must be true or false/],
    ['an unknown setting', { allowOrigin: ['x'] } as unknown as CorsPolicyOptions, /unknown setting 'allowOrigin'/],
  ])('refuses %s, naming the setting', (_label, options, message) => {
    expect(() => compilePolicy('frontend', options)).toThrow(CorsPolicyError);
    expect(() => compilePolicy('frontend', options)).toThrow(/^Invalid CORS policy 'frontend': /);
    expect(() => compilePolicy('frontend', options)).toThrow(message);
  });

  it('reports every problem at once', () => {
    try {
      compilePolicy('p', { origins: ['https://a.test/'], maxAge: -5, methods: ['*'] });
      throw new Error('expected a CorsPolicyError');
    } catch (error) {
      expect(error).toBeInstanceOf(CorsPolicyError);
      expect((error as CorsPolicyError).problems).toHaveLength(3);
    }
  });
});

describe('mergePolicyOptions', () => {
  const base: CorsPolicyOptions = {
    origins: ['https://a.test'],
    methods: ['POST'],
    allowedHeaders: ['Content-Type'],
    maxAge: 60,
    credentials: true,
  };

  it('unites lists and lets the handler win on scalars', () => {
    const merged = mergePolicyOptions(base, { origins: ['https://b.test'], methods: ['DELETE'], maxAge: 5 });
    expect(merged).toEqual({
      origins: ['https://a.test', 'https://b.test'],
      methods: ['POST', 'DELETE'],
      allowedHeaders: ['Content-Type'],
      exposedHeaders: undefined,
      maxAge: 5,
      credentials: true,
    });
  });

  it("lets '*' absorb a list", () => {
    expect(mergePolicyOptions({ origins: '*' }, { origins: ['https://b.test'] }).origins).toBe('*');
  });

  it('does not mutate either side', () => {
    // Overlapping lists on both sides, so a merge that united them in place would show.
    const left = (): CorsPolicyOptions => ({
      origins: ['https://a.test', 'https://b.test'],
      methods: ['POST', 'GET'],
      allowedHeaders: ['Content-Type'],
      maxAge: 60,
    });
    const right = (): CorsPolicyOptions => ({
      origins: ['https://b.test', 'https://c.test'],
      methods: ['GET', 'DELETE'],
      exposedHeaders: ['X-Trace'],
      maxAge: 5,
    });
    const [baseSide, overrideSide] = [left(), right()];
    mergePolicyOptions(baseSide, overrideSide);
    expect([baseSide, overrideSide]).toEqual([left(), right()]);
    expect(() => mergePolicyOptions(deepFreeze(left()), deepFreeze(right()))).not.toThrow();
  });
});

describe('resourcePolicy and timingAllowOrigin', () => {
  it("makes a public ('*') policy embeddable unless it says otherwise", () => {
    expect(compilePolicy('p', { origins: '*' }).resourcePolicy).toBe('cross-origin');
    expect(compilePolicy('p', { origins: '*', resourcePolicy: 'same-site' }).resourcePolicy).toBe('same-site');
  });

  it("leaves the application's header alone on a listed policy that says nothing", () => {
    expect(compilePolicy('p', { origins: ['https://a.test'] }).resourcePolicy).toBeUndefined();
  });

  it.each([
    [
      { resourcePolicy: 'cross-site' },
      /resourcePolicy "cross-site" must be one of 'same-origin', 'same-site', 'cross-origin'/,
    ],
    [{ timingAllowOrigin: 'yes' }, /timingAllowOrigin must be true or false/],
  ])('refuses %j, naming the setting', (options, problem) => {
    expect(() => compilePolicy('p', { origins: ['https://a.test'], ...(options as CorsPolicyOptions) })).toThrow(
      problem,
    );
  });
});
