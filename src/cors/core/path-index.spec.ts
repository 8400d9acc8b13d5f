import { type IndexedRoute, pathOf, preflightTarget, RoutePathIndex, routeForMethod } from './path-index.js';

const routes: Array<IndexedRoute<string>> = [
  { method: 'POST', path: '/greet', policy: 'frontend', handler: 'Greet.greet' },
  { method: 'GET', path: '/greet/languages', policy: 'public', handler: 'Greet.languages' },
  { method: 'GET', path: '/items/:id', policy: 'items', handler: 'Items.find' },
  { method: 'DELETE', path: '/items/:id', policy: undefined, handler: 'Items.remove' },
  { method: 'ALL', path: '/any', policy: 'any', handler: 'Any.all' },
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
    expect(greet && routeForMethod(greet, 'POST')).toEqual({ served: true, policy: 'frontend', handler: 'Greet.greet' });
  });

  it('tells an unserved method from a handler without policy', () => {
    expect(greet && routeForMethod(greet, 'DELETE')).toEqual({ served: false });
    expect(items && routeForMethod(items, 'DELETE')).toEqual({ served: true, policy: undefined, handler: 'Items.remove' });
  });

  it('serves HEAD with the GET handler and any method with @All', () => {
    expect(items && routeForMethod(items, 'HEAD')).toEqual({ served: true, policy: 'items', handler: 'Items.find' });
    expect(any && routeForMethod(any, 'PATCH')).toEqual({ served: true, policy: 'any', handler: 'Any.all' });
  });
});

describe('preflightTarget', () => {
  const items = index.lookup('/items/1');

  it('answers with the policy of the handler serving the requested method', () => {
    expect(items && preflightTarget(items, 'GET')).toEqual({ policy: 'items' });
  });

  it('refuses a method without handler, or whose handler has no policy', () => {
    expect(items && preflightTarget(items, 'PATCH')).toEqual({ rejection: { code: 'method-not-served', method: 'PATCH', path: '/items/:id' } });
    expect(items && preflightTarget(items, 'DELETE')).toEqual({ rejection: { code: 'handler-without-policy', method: 'DELETE', path: '/items/:id' } });
  });

  it('knows whether a path has any policy', () => {
    expect(items?.hasPolicy).toBe(true);
    expect(new RoutePathIndex([{ method: 'GET', path: '/health', policy: undefined, handler: 'Health.check' }]).lookup('/health')?.hasPolicy).toBe(false);
  });
});

describe('pathOf', () => {
  it('drops the query string', () => {
    expect(pathOf('/a/b?c=d?e')).toBe('/a/b');
  });
});
