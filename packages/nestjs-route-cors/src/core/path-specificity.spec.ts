import { RouteSpecificitySorter } from '@nestjs/core/router/route-specificity-sorter.js';
import type { ResolvedRoute } from '@nestjs/core/router/interfaces/resolved-route.interface.js';
import { compareSpecificity, isLiteralShape, pathShape, pathsCanOverlap } from './path-specificity.js';

const SAMPLES = [
  '/',
  '/assets{/*rest}',
  '/assets/private{/*rest}',
  '/assets/private/secret.txt',
  '/{*rest}',
  '/*all',
  '/:kind/special',
  '/things/:id',
  '/things/special',
  '/files/:name.:ext',
  '/files/:name',
  '/users{/:id}',
  '/users',
  '/api/v:version/items',
  '/api/v1/items',
  '/docs-json',
];

function sortedByUs(paths: readonly string[]): string[] {
  return paths
    .map((path, position) => ({ path, position, shape: pathShape(path) }))
    .sort((a, b) => compareSpecificity(a.shape, b.shape) || a.position - b.position)
    .map(({ path }) => path);
}

describe('compareSpecificity', () => {
  it('ranks a narrower rule first, whatever the order it is written in', () => {
    expect(sortedByUs(['/assets{/*rest}', '/assets/private{/*rest}'])).toEqual([
      '/assets/private{/*rest}',
      '/assets{/*rest}',
    ]);
    expect(sortedByUs(['/{*rest}', '/api/items', '/api{/*rest}'])).toEqual(['/api/items', '/api{/*rest}', '/{*rest}']);
  });

  it("orders paths as Nest 12's own specificity sorter does", () => {
    const nest = RouteSpecificitySorter.sort(SAMPLES.map((path) => ({ path }) as ResolvedRoute)).map(
      (route) => route.path,
    );
    expect(sortedByUs(SAMPLES)).toEqual(nest);
    const reversed = [...SAMPLES].reverse();
    expect(sortedByUs(reversed)).toEqual(
      RouteSpecificitySorter.sort(reversed.map((path) => ({ path }) as ResolvedRoute)).map((route) => route.path),
    );
  });

  it('ranks alike the patterns that differ only by names', () => {
    expect(compareSpecificity(pathShape('/items/:id'), pathShape('/items/:name'))).toBe(0);
    expect(compareSpecificity(pathShape('/:a/x'), pathShape('/x/:b'))).toBeGreaterThan(0);
  });
});

describe('pathsCanOverlap', () => {
  it.each([
    ['/assets{/*rest}', '/assets/private{/*rest}', true],
    ['/assets{/*rest}', '/assets', true],
    ['/assets{/*rest}', '/asset', false],
    ['/:kind/special', '/things/:id', true],
    ['/:kind/special', '/things/:id/x', false],
    ['/things/a', '/things/b', false],
    ['/Things', '/things', true],
    ['/files/:name.:ext', '/files/readme.md', true],
    ['/files/:name.:ext', '/files/readme', false],
    ['/*all', '/', false],
    ['/{*rest}', '/', true],
    ['/users{/:id}', '/users', true],
  ])('%s and %s: %s (case-insensitive)', (a, b, overlap) => {
    expect(pathsCanOverlap(pathShape(a), pathShape(b), false)).toBe(overlap);
    expect(pathsCanOverlap(pathShape(b), pathShape(a), false)).toBe(overlap);
  });

  it('tells case apart for a case-sensitive router', () => {
    expect(pathsCanOverlap(pathShape('/Things'), pathShape('/things'), true)).toBe(false);
  });
});

describe('isLiteralShape', () => {
  it('is true of plain text only', () => {
    expect(isLiteralShape(pathShape('/docs-json'))).toBe(true);
    expect(isLiteralShape(pathShape('/docs{/*rest}'))).toBe(false);
    expect(isLiteralShape(pathShape('/items/:id'))).toBe(false);
  });
});
