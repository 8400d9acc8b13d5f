import { type IndexedRoute, pathOf, RoutePathIndex, routeForMethod } from './path-index.js';

const routes: Array<IndexedRoute<string>> = [
  { method: 'POST', path: '/greet', policy: 'frontend' },
  { method: 'GET', path: '/greet/languages', policy: 'public' },
  { method: 'GET', path: '/items/:id', policy: 'items' },
  { method: 'DELETE', path: '/items/:id', policy: undefined },
  { method: 'ALL', path: '/any', policy: 'any' },
];
const index = new RoutePathIndex(routes);

describe('RoutePathIndex.lookup', () => {
  it.each([
    ['/greet', '/greet'],
    ['/greet?lang=es', '/greet'],
    ['/greet/', '/greet'],
    ['/GREET', '/greet'],
    ['/items/42', '/items/:id'],
    ['/items/42/', '/items/:id'],
  ])('finds %s at %s', (url, path) => {
    expect(index.lookup(url)?.path).toBe(path);
  });

  it.each(['/nope', '/greet/other', '/items', '/items/1/2', '/items/%E0%A4%A'])('finds nothing at %s', (url) => {
    expect(index.lookup(url)).toBeUndefined();
  });
});

describe('routeForMethod', () => {
  const greet = index.lookup('/greet');
  const items = index.lookup('/items/1');
  const any = index.lookup('/any');

  it('finds the policy of the handler serving the method', () => {
    expect(greet && routeForMethod(greet, 'POST')).toEqual({ served: true, policy: 'frontend' });
  });

  it('tells an unserved method from a handler without policy', () => {
    expect(greet && routeForMethod(greet, 'DELETE')).toEqual({ served: false });
    expect(items && routeForMethod(items, 'DELETE')).toEqual({ served: true, policy: undefined });
  });

  it('serves HEAD with the GET handler and any method with @All', () => {
    expect(items && routeForMethod(items, 'HEAD')).toEqual({ served: true, policy: 'items' });
    expect(any && routeForMethod(any, 'PATCH')).toEqual({ served: true, policy: 'any' });
  });
});

describe('pathOf', () => {
  it('drops the query string', () => {
    expect(pathOf('/a/b?c=d?e')).toBe('/a/b');
  });
});
