import { RouteSpecificitySorter } from '@nestjs/core/router/route-specificity-sorter.js';
import { CorsConfigurationError } from '../core/errors.js';
import { inRouterOrder, loadRouteSorter } from './nest-routes.js';

describe("loading Nest's route sorter", () => {
  it("is Nest 12's RouteSpecificitySorter where @nestjs/core has it", async () => {
    expect(await loadRouteSorter()).toBe(RouteSpecificitySorter);
  });

  it.each(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'])(
    'is none where the file does not exist (Nest 11, %s)',
    async (code) => {
      const missing = Object.assign(new Error('Cannot find module'), { code });
      expect(await loadRouteSorter(() => Promise.reject(missing))).toBeUndefined();
    },
  );

  it('stops start-up naming the sorter where the file is there without it', async () => {
    const load = loadRouteSorter(() => Promise.resolve({}));
    await expect(load).rejects.toThrow(CorsConfigurationError);
    await expect(load).rejects.toThrow(/has no RouteSpecificitySorter with a sort\(\) method/);
  });

  it('passes on any other failure to load it', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(loadRouteSorter(() => Promise.reject(broken))).rejects.toBe(broken);
  });
});

describe('routes in the order the router tries them', () => {
  const routes = [{ path: '/a' }, { path: '/:id' }] as unknown as Parameters<typeof inRouterOrder>[0];
  const reversing = { sort: (given: typeof routes) => [...given].reverse() };

  it('keeps declaration order where the application does not sort (Nest 11, Express by default)', () => {
    expect(inRouterOrder(routes, false, undefined)).toBe(routes);
    expect(inRouterOrder(routes, false, reversing)).toBe(routes);
  });

  it("uses Nest's sorter where the application sorts", () => {
    expect(inRouterOrder(routes, true, reversing)).toEqual([routes[1], routes[0]]);
  });

  it('stops start-up naming the sorter where the application sorts and none was loaded', () => {
    expect(() => inRouterOrder(routes, true, undefined)).toThrow(CorsConfigurationError);
    expect(() => inRouterOrder(routes, true, undefined)).toThrow(/has no RouteSpecificitySorter/);
  });
});
