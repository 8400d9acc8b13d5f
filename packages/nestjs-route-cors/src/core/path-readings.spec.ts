import { posix } from 'node:path';
import fc from 'fast-check';
import { otherPathReadings, resolveDotSegments } from './path-readings.js';

describe('otherPathReadings', () => {
  it('has none for a path that every layer reads as sent', () => {
    expect(otherPathReadings('/greet')).toEqual([]);
    expect(otherPathReadings('/assets/app.v2.js?x=%2e%2e')).toEqual([]);
  });

  it.each([
    ['a doubled slash', '/assets//private/a.txt', ['/assets//private/a.txt', '/assets/private/a.txt']],
    ['an escaped letter', '/assets/%70rivate/a.txt', ['/assets/%70rivate/a.txt', '/assets/private/a.txt']],
    ['an escaped slash', '/assets/private%2Fa.txt', ['/assets/private%2Fa.txt', '/assets/private/a.txt']],
    ['a dot segment', '/assets/./private', ['/assets/./private', '/assets/private']],
    ['an escaped dot-dot segment', '/x/%2E%2e/live', ['/x/%2E%2e/live', '/live']],
    ['a backslash', '/x\\..\\live', ['/x\\..\\live', '/live']],
    ['a malformed escape', '/x/%zz/../y', ['/x/%zz/../y', '/x/y']],
  ])('reads %s as new URL() and a file server would', (_what, target, readings) => {
    expect(otherPathReadings(target)).toEqual(readings);
  });

  it('reads the path of an absolute-form target, and none of a target without one', () => {
    expect(otherPathReadings('http://api.test/live?x=1')).toEqual(['/live']);
    expect(otherPathReadings('http://api.test')).toEqual(['/']);
    expect(otherPathReadings('*')).toEqual([]);
  });

  it('stops at the query and the fragment', () => {
    expect(otherPathReadings('/live#/../admin')).toEqual([]);
    expect(otherPathReadings('/a/./b?c=/../d')).toEqual(['/a/./b', '/a/b']);
  });

  // Characters new URL() keeps as they are in a path, with the escapes that change a reading.
  const pathPart = fc.constantFrom('a', 'b', '.', '/', '\\', '%2e', '%2E', '%2F', '%41', '%', '-');
  const paths = fc.array(pathPart, { maxLength: 14 }).map((parts) => `/${parts.join('')}`);

  it("includes new URL()'s reading of every path (property)", () => {
    fc.assert(
      fc.property(paths, (path) => {
        const url = new URL(`http://api.test${path}`).pathname;
        const readings = otherPathReadings(path);
        return readings.length === 0 ? url === path : readings.includes(url);
      }),
      { numRuns: 2000 },
    );
  });

  it("includes a file server's reading of every decodable path (property)", () => {
    fc.assert(
      fc.property(paths, (path) => {
        let decoded: string;
        try {
          decoded = decodeURIComponent(path);
        } catch {
          return true;
        }
        const served = posix.normalize(decoded);
        const readings = otherPathReadings(path);
        return readings.length === 0 ? served === path : readings.includes(served);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('resolveDotSegments', () => {
  it.each([
    ['/a/./b/../c', '/a/c'],
    ['/a/b/..', '/a/'],
    ['/a/.', '/a/'],
    ['/../../a', '/a'],
    ['/a//b/./c', '/a//b/c'],
    ['/a/%2e%2E/b', '/b'],
    ['/a/.%2e/b', '/b'],
  ])('resolves %s to %s', (path, resolved) => {
    expect(resolveDotSegments(path)).toBe(resolved);
  });
});
