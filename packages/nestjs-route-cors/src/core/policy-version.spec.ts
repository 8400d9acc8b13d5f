import { configurationFingerprint, describeVersion, stableJson } from './policy-version.js';

describe('stableJson', () => {
  it('writes equal options as equal text whatever order their keys were written in', () => {
    expect(stableJson({ methods: ['GET'], origins: ['https://a.test'], cache: { max: 1, ttl: 2 } })).toBe(
      stableJson({ cache: { ttl: 2, max: 1 }, origins: ['https://a.test'], methods: ['GET'] }),
    );
  });

  it('keeps the order of lists, which is part of the policy', () => {
    expect(stableJson({ origins: ['https://a.test', 'https://b.test'] })).not.toBe(
      stableJson({ origins: ['https://b.test', 'https://a.test'] }),
    );
  });
});

describe('configurationFingerprint', () => {
  const partners = { origins: ['https://a.test'], methods: ['GET'] };

  it('names a configuration by 12 hex digits, the same for the same policies', () => {
    expect(configurationFingerprint({ partners })).toMatch(/^[0-9a-f]{12}$/);
    expect(configurationFingerprint({ partners })).toBe(configurationFingerprint({ partners: { ...partners } }));
  });

  it('changes with any setting of any policy, and with a policy added', () => {
    const base = configurationFingerprint({ partners });
    expect(configurationFingerprint({ partners: { ...partners, methods: ['GET', 'PUT'] } })).not.toBe(base);
    expect(configurationFingerprint({ partners, other: {} })).not.toBe(base);
  });

  it('counts a predicate by its presence: its code is not compared', () => {
    const withPredicate = (predicate: (origin: string) => boolean) =>
      configurationFingerprint({ partners: { ...partners, originPredicate: predicate } });
    expect(withPredicate(() => true)).toBe(withPredicate(() => false));
    expect(withPredicate(() => true)).not.toBe(configurationFingerprint({ partners }));
  });
});

describe('describeVersion', () => {
  it.each([
    [
      { number: 0, source: 'configuration', configuration: 'abc' },
      "version 0, the configuration's (configuration abc)",
    ],
    [{ number: 3, source: 'local', configuration: 'abc' }, 'version 3, replaced on this instance (configuration abc)'],
    [{ number: 12, source: 'redis', configuration: 'abc' }, 'version 12, from Redis (configuration abc)'],
  ] as const)('says %j as "%s"', (version, text) => {
    expect(describeVersion(version)).toBe(text);
  });
});
