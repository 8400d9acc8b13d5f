import { compilePolicy } from './compile-policy.js';
import { intersectPolicies } from './intersect-policies.js';
import { checkOrigin } from './origin-matcher.js';
import type { CorsPolicyOptions } from './policy.js';

const intersect = (...options: CorsPolicyOptions[]) =>
  intersectPolicies(options.map((o, i) => compilePolicy(`p${i + 1}`, o)));

async function allows(options: CorsPolicyOptions[], origin: string): Promise<boolean> {
  return (await checkOrigin(intersect(...options), origin)).allowed;
}

describe('intersectPolicies', () => {
  it('is named after its members', () => {
    expect(intersect({}, {}).name).toBe('p1&p2');
  });

  it.each<[string, CorsPolicyOptions[], string, boolean]>([
    [
      'an origin both list',
      [{ origins: ['https://a.test', 'https://b.test'] }, { origins: ['https://b.test'] }],
      'https://b.test',
      true,
    ],
    [
      'an origin one lists',
      [{ origins: ['https://a.test', 'https://b.test'] }, { origins: ['https://b.test'] }],
      'https://a.test',
      false,
    ],
    [
      'an origin listed by one and matched by the other pattern',
      [{ origins: ['https://x.example.com'] }, { origins: ['https://*.example.com'] }],
      'https://x.example.com',
      true,
    ],
    [
      'a narrower pattern inside a wider one',
      [{ origins: ['https://*.a.example.com'] }, { origins: ['https://*.example.com'] }],
      'https://x.a.example.com',
      true,
    ],
    [
      'the wider pattern outside the narrower',
      [{ origins: ['https://*.a.example.com'] }, { origins: ['https://*.example.com'] }],
      'https://x.b.example.com',
      false,
    ],
    [
      'patterns on other ports',
      [{ origins: ['https://*.example.com:8443'] }, { origins: ['https://*.example.com'] }],
      'https://x.example.com:8443',
      false,
    ],
    ["a list under '*'", [{ origins: '*' }, { origins: ['https://a.test'] }], 'https://a.test', true],
    ["anything under '*' and '*'", [{ origins: '*' }, { origins: '*' }], 'https://any.test', true],
    [
      'an origin a predicate of one and the list of the other allow',
      [{ origins: [], originPredicate: (o) => o === 'https://p.test' }, { origins: ['https://p.test'] }],
      'https://p.test',
      true,
    ],
    [
      'an origin only a predicate allows',
      [{ origins: [], originPredicate: () => true }, { origins: ['https://a.test'] }],
      'https://p.test',
      false,
    ],
  ])('%s: allowed %s', async (_case, options, origin, expected) => {
    await expect(allows(options, origin)).resolves.toBe(expected);
  });

  it('reports a member predicate that fails as a failure, and waits for the slowest member deadline', async () => {
    const failing = intersect(
      { origins: [], originPredicate: () => Promise.reject(new Error('tenant database down')) },
      { origins: ['https://p.test'] },
    );
    await expect(checkOrigin(failing, 'https://p.test')).resolves.toMatchObject({
      allowed: false,
      failure: 'error',
      error: new Error('tenant database down'),
    });
    const slow = intersect(
      {
        origins: [],
        originPredicate: () => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 60)),
        originPredicateTimeout: 2_000,
      },
      { origins: ['https://p.test'] },
    );
    expect(slow.originPredicate?.timeoutMs).toBe(2_000);
    await expect(checkOrigin(slow, 'https://p.test')).resolves.toEqual({ allowed: true });
  });

  it('keeps what every policy allows of methods and headers, the smallest max-age, credentials only if all allow them', () => {
    const policy = intersect(
      {
        origins: ['https://a.test'],
        methods: ['GET', 'PUT'],
        allowedHeaders: ['X-A', 'Content-Type'],
        exposedHeaders: ['X-Id'],
        maxAge: 100,
        credentials: true,
      },
      {
        origins: ['https://a.test'],
        methods: ['put', 'GET', 'POST'],
        allowedHeaders: ['content-type'],
        exposedHeaders: ['X-Id', 'X-B'],
        maxAge: 50,
        credentials: false,
        strict: true,
      },
    );
    expect(policy.declared).toMatchObject({
      methods: ['GET', 'HEAD', 'PUT'],
      allowedHeaders: ['Content-Type'],
      exposedHeaders: ['X-Id'],
      maxAge: 50,
      credentials: false,
      strict: true,
    });
  });
});
