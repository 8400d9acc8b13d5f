import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compilePolicy } from './compile-policy.js';
import { CorsPolicyError } from './errors.js';
import { parseOriginPattern } from './origin-syntax.js';
import type { CorsPolicyOptions } from './policy.js';
import { coveredPublicSuffix, isLoopbackHost, PUBLIC_SUFFIX_LIST } from './unsafe-origins.js';

const manifest = (path: string): { version?: string; dependencies?: Record<string, string> } =>
  JSON.parse(readFileSync(path, 'utf8')) as never;

describe('the Public Suffix List', () => {
  it('is named by the tldts release installed, which package.json pins', () => {
    const installed = manifest(createRequire(import.meta.url).resolve('tldts/package.json')).version;
    const pinned = manifest(new URL('../../package.json', import.meta.url).pathname).dependencies?.tldts;
    expect(PUBLIC_SUFFIX_LIST).toBe(`Public Suffix List of tldts ${installed ?? '?'}`);
    expect(pinned).toBe(installed);
  });
});

describe('coveredPublicSuffix', () => {
  it.each([
    ['https://*.vercel.app', 'vercel.app'],
    ['https://*.github.io', 'github.io'],
    ['https://*.co.uk', 'co.uk'],
    ['https://*.s3.amazonaws.com', 's3.amazonaws.com'],
    ['https://*.ck', undefined],
  ])('finds the suffix %s covers', (pattern, suffix) => {
    // `*.ck` is refused earlier, as a top-level domain; here only the list is asked.
    if (suffix === undefined) expect(() => parseOriginPattern(pattern)).toThrow(/top-level domain/);
    else expect(coveredPublicSuffix(parseOriginPattern(pattern))).toBe(suffix);
  });

  it('finds a domain every child of which the list makes a suffix (a wildcard rule)', () => {
    expect(coveredPublicSuffix(parseOriginPattern('https://*.compute.amazonaws.com'))).toBeDefined();
  });

  it.each([
    'https://*.example.com',
    'https://*.app.vercel.app',
    'https://*.example.co.uk',
    'https://*.mysite.github.io',
    'http://*.a.test:8080',
  ])('passes %s, a domain one owner registers', (pattern) => {
    expect(coveredPublicSuffix(parseOriginPattern(pattern))).toBeUndefined();
  });
});

describe('isLoopbackHost', () => {
  it.each(['localhost', 'app.localhost', '127.0.0.1', '127.8.9.10', '[::1]'])('counts %s as loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['example.com', 'localhost.example.com', '10.0.0.1', '128.0.0.1', '[::2]', '0.0.0.0'])(
    'does not count %s',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('refusing unsafe allowlists at compile time', () => {
  it.each<[string, CorsPolicyOptions, RegExp]>([
    [
      'a pattern over a platform',
      { origins: ['https://*.vercel.app'] },
      /origins entry "https:\/\/\*\.vercel\.app" covers the public suffix "vercel\.app" \(Public Suffix List of tldts [\d.]+\).*add tolerate: \['public-suffix-pattern'\]/,
    ],
    [
      'a pattern over a country suffix, with credentials',
      { origins: ['https://*.co.uk'], credentials: true },
      /"https:\/\/\*\.co\.uk" covers the public suffix "co\.uk"/,
    ],
    [
      "'null' with credentials",
      { origins: ['null'], credentials: true },
      /origins entry "null" allows credentials to 'null'.*tolerate: \['null-origin-with-credentials'\]/,
    ],
    [
      'an http origin with credentials',
      { origins: ['http://app.example.com'], credentials: true },
      /"http:\/\/app\.example\.com" allows credentials to an http:\/\/ origin.*tolerate: \['insecure-origin-with-credentials'\]/,
    ],
    [
      'an http pattern with credentials',
      { origins: ['http://*.example.com'], credentials: true },
      /"http:\/\/\*\.example\.com" allows credentials to an http:\/\/ origin/,
    ],
    [
      'an http private address with credentials',
      { origins: ['http://192.168.1.10:8080'], credentials: true },
      /"http:\/\/192\.168\.1\.10:8080" allows credentials/,
    ],
    [
      'an unknown tolerate entry',
      { origins: ['https://a.test'], tolerate: ['everything' as never] },
      /tolerate entry "everything" is none of 'public-suffix-pattern'/,
    ],
    ['a tolerate that is no list', { tolerate: 'null-origin-with-credentials' as never }, /tolerate must be a list/],
  ])('refuses %s, naming entry and reason', (_label, options, message) => {
    expect(() => compilePolicy('frontend', options)).toThrow(CorsPolicyError);
    expect(() => compilePolicy('frontend', options)).toThrow(message);
  });

  it('names each case once, every one in one error', () => {
    const options: CorsPolicyOptions = {
      origins: ['null', 'http://a.example.com', 'https://*.github.io'],
      credentials: true,
    };
    expect(() => compilePolicy('p', options)).toThrow(CorsPolicyError);
    try {
      compilePolicy('p', options);
    } catch (error) {
      expect(
        (error as CorsPolicyError).problems.map((problem) => /tolerate: \['([a-z-]+)'\]/.exec(problem)?.[1]),
      ).toEqual(['public-suffix-pattern', 'null-origin-with-credentials', 'insecure-origin-with-credentials']);
    }
  });

  it.each<[string, CorsPolicyOptions]>([
    ['null without credentials', { origins: ['null'] }],
    ['http without credentials', { origins: ['http://app.example.com'] }],
    ['http://localhost with credentials', { origins: ['http://localhost:1234'], credentials: true }],
    ['http://127.0.0.1 with credentials', { origins: ['http://127.0.0.1:5173'], credentials: true }],
    ['http://[::1] with credentials', { origins: ['http://[::1]:8080'], credentials: true }],
    ['a pattern under a registered domain with credentials', { origins: ['https://*.example.com'], credentials: true }],
  ])('compiles %s', (_label, options) => {
    expect(compilePolicy('p', options).declared.tolerated).toEqual([]);
  });

  it('compiles each case its tolerate names, and keeps it for reports', () => {
    const policy = compilePolicy('p', {
      origins: ['null', 'http://a.example.com', 'https://*.vercel.app'],
      credentials: true,
      tolerate: ['null-origin-with-credentials', 'insecure-origin-with-credentials', 'public-suffix-pattern'],
    });
    expect(policy.declared.tolerated.map(({ risk, entry }) => [risk, entry])).toEqual([
      ['public-suffix-pattern', 'https://*.vercel.app'],
      ['null-origin-with-credentials', 'null'],
      ['insecure-origin-with-credentials', 'http://a.example.com'],
    ]);
    expect(policy.declared.tolerate).toEqual([
      'null-origin-with-credentials',
      'insecure-origin-with-credentials',
      'public-suffix-pattern',
    ]);
  });

  it('refuses what tolerate does not name, though it names another case', () => {
    expect(() =>
      compilePolicy('p', {
        origins: ['null', 'http://a.example.com'],
        credentials: true,
        tolerate: ['null-origin-with-credentials'],
      }),
    ).toThrow(/"http:\/\/a\.example\.com" allows credentials/);
  });
});
