import { normaliseOrigin, OriginSyntaxError, parseOriginPattern } from './origin-syntax.js';

describe('normaliseOrigin', () => {
  it.each([
    ['http://localhost:1234', 'http://localhost:1234'],
    ['HTTPS://App.Example.COM', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://app.example.com:80', 'http://app.example.com'],
    ['https://app.example.com:8443', 'https://app.example.com:8443'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['null', 'null'],
  ])('normalises %s to the browser form %s', (entry, expected) => {
    expect(normaliseOrigin(entry)).toBe(expected);
  });

  it.each([
    ['http://localhost:1234/', /trailing slash; write it as "http:\/\/localhost:1234"/],
    ['https://app.example.com/api', /has a path/],
    ['https://app.example.com?x=1', /has a path, query or fragment/],
    ['not a url', /contains whitespace/],
    ['app.example.com', /is not an origin/],
    ['ftp://files.example.com', /only http and https/],
    ['https://user@app.example.com', /user info/],
    ['https://', /not a valid origin/],
    ['https://app.example.com:99999', /not a valid origin/],
    [' https://app.example.com', /whitespace/],
  ])('refuses %s', (entry, message) => {
    expect(() => normaliseOrigin(entry)).toThrow(OriginSyntaxError);
    expect(() => normaliseOrigin(entry)).toThrow(message);
  });
});

describe('parseOriginPattern', () => {
  it('splits a leftmost-label wildcard once', () => {
    expect(parseOriginPattern('https://*.Example.com')).toEqual({
      source: 'https://*.example.com',
      schemePrefix: 'https://',
      hostSuffix: '.example.com',
      maxLabelsLength: 241,
    });
  });

  it('keeps a non-default port in the suffix', () => {
    expect(parseOriginPattern('https://*.example.com:8443').hostSuffix).toBe('.example.com:8443');
  });

  it.each([
    ['https://*example.com', /whole leftmost label/],
    ['https://app.*.com', /whole leftmost label/],
    ['https://*.*.example.com', /whole leftmost label/],
    ['*://app.example.com', /whole leftmost label/],
    ['https://*.com', /whole top-level domain "com"/],
    ['https://*.0.0.1', /not to IP addresses/],
    ['https://*.example.com/', /trailing slash/],
  ])('refuses %s', (entry, message) => {
    expect(() => parseOriginPattern(entry)).toThrow(message);
  });
});
