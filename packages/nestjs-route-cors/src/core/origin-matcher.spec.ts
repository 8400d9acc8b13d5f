import { compilePolicy } from './compile-policy.js';
import { checkOrigin, isListedOrigin } from './origin-matcher.js';

const policy = compilePolicy('frontend', {
  origins: ['https://app.example.com', 'http://localhost:1234', 'https://*.example.org', 'null'],
});

describe('isListedOrigin', () => {
  it.each([
    ['https://app.example.com', true, 'exact origin'],
    ['http://localhost:1234', true, 'exact origin with port'],
    ['null', true, 'literal null when listed'],
    ['https://a.example.org', true, 'one subdomain label'],
    ['https://a.b.example.org', true, 'several subdomain labels'],
    ['https://x-1.example.org', true, 'hyphen inside a label'],
    ['https://example.org', false, 'bare domain of a pattern'],
    ['https://example.org.evil.com', false, 'pattern domain as a prefix'],
    ['https://evilexample.org', false, 'no dot before the domain'],
    ['http://a.example.org', false, 'scheme downgrade'],
    ['https://a.example.org:8443', false, 'different port'],
    ['https://app.example.com.evil.com', false, 'suffix trick'],
    ['https://evilapp.example.com', false, 'prefix trick on an exact origin'],
    ['http://app.example.com', false, 'scheme downgrade of an exact origin'],
    ['https://app.example.com:443', false, 'non-serialised default port'],
    ['https://APP.example.com', false, 'case variant browsers never send'],
    ['https://app.example.com/', false, 'trailing slash'],
    ['https://evil.com@a.example.org', false, 'userinfo'],
    ['https://evil.com\\.example.org', false, 'backslash'],
    ['https://-a.example.org', false, 'label starting with a hyphen'],
    ['https://.example.org', false, 'empty label'],
    ['https://a..example.org', false, 'empty inner label'],
    ['https://a_b.example.org', false, 'underscore'],
    ['https://a.example.org.', false, 'trailing dot'],
    ['http://localhost:4321', false, 'other port'],
    [`https://${'a.'.repeat(121)}example.org`, true, 'a host name of 253 characters'],
    [`https://${'a.'.repeat(122)}example.org`, false, 'a host name over 253 characters'],
    ['*', false, 'a literal star'],
    ['', false, 'empty origin'],
  ])('%s → %s (%s)', (origin, expected) => {
    expect(isListedOrigin(policy, origin)).toBe(expected);
  });

  it('does not allow null unless it is listed', () => {
    expect(isListedOrigin(compilePolicy('p', { origins: ['https://app.example.com'] }), 'null')).toBe(false);
  });

  it("allows everything with origins '*'", () => {
    expect(isListedOrigin(compilePolicy('p', { origins: '*' }), 'https://anything.test')).toBe(true);
  });
});

describe('checkOrigin', () => {
  it('refuses two joined Origin values even when each is allowed', () => {
    expect(checkOrigin(policy, 'https://app.example.com, http://localhost:1234')).toEqual({ allowed: false });
  });

  it('answers synchronously for listed origins', () => {
    expect(checkOrigin(policy, 'https://app.example.com')).toEqual({ allowed: true });
  });

  it('asks the predicate about unlisted origins only', async () => {
    const asked: string[] = [];
    const withPredicate = compilePolicy('p', {
      origins: ['https://app.example.com'],
      originPredicate: async (origin) => {
        asked.push(origin);
        return origin === 'https://db.example.net';
      },
    });
    expect(checkOrigin(withPredicate, 'https://app.example.com')).toEqual({ allowed: true });
    await expect(checkOrigin(withPredicate, 'https://db.example.net')).resolves.toEqual({ allowed: true });
    await expect(checkOrigin(withPredicate, 'https://evil.com')).resolves.toEqual({ allowed: false });
    expect(asked).toEqual(['https://db.example.net', 'https://evil.com']);
  });

  it('refuses an answer that is not a boolean, as a failure of the predicate', async () => {
    const truthy = compilePolicy('p', { originPredicate: () => 'yes' as unknown as boolean });
    await expect(Promise.resolve(checkOrigin(truthy, 'https://a.test'))).resolves.toMatchObject({
      allowed: false,
      failure: 'error',
    });
  });

  it('refuses and keeps the error when the predicate throws or rejects', async () => {
    const failure = new Error('database down');
    const throwing = compilePolicy('p', {
      originPredicate: () => {
        throw failure;
      },
    });
    const rejecting = compilePolicy('p', { originPredicate: () => Promise.reject(failure) });
    expect(checkOrigin(throwing, 'https://a.test')).toEqual({ allowed: false, failure: 'error', error: failure });
    await expect(checkOrigin(rejecting, 'https://a.test')).resolves.toEqual({
      allowed: false,
      failure: 'error',
      error: failure,
    });
  });
});
