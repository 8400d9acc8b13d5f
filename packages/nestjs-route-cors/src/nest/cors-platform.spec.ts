import { type VersioningOptions, VersioningType } from '@nestjs/common';
import { CorsConfigurationError } from '../core/index.js';
import { type CorsHttpPlatform, type CorsRouter, routerOf } from './cors-platform.js';
import type { NestRoute } from './nest-routes.js';

interface FakeRequest {
  readonly url: string;
}

const VERSIONING: VersioningOptions = { type: VersioningType.HEADER, header: 'X-API-Version' };

class Controller {}

function route(pickedVersion?: string): NestRoute {
  return {
    method: 'GET',
    path: '/items',
    host: undefined,
    servesHost: undefined,
    version: pickedVersion,
    controller: Controller,
    methodName: 'list',
    pickedVersion,
  };
}

/** A platform whose only own part is `router`: what routerOf reads. */
function platformWith(router?: Partial<CorsRouter<FakeRequest>>): CorsHttpPlatform<FakeRequest, unknown> {
  return {
    name: 'node',
    install: () => undefined,
    requestFacts: () => {
      throw new Error('not read by routerOf');
    },
    endPreflight: () => undefined,
    ...(router && { router }),
  };
}

describe('routerOf', () => {
  describe('a platform without a router part gets the plain defaults', () => {
    const router = routerOf(platformWith());

    it('matches paths as sent: case-sensitive, a trailing slash is another path', () => {
      expect(router.matching).toEqual({ caseSensitive: true, ignoreTrailingSlash: false });
    });

    it.each([
      ['/items', '/items'],
      ['/items?x=1', '/items'],
      ['/items?', '/items'],
      ['/a/b?c=/d', '/a/b'],
    ])('routes %s by its path without the query, %s', (url, path) => {
      expect(router.routingPath({ url }, url)).toBe(path);
    });

    it('reads route paths as written, adds no route for preflights, and has no chosen route', () => {
      expect(router.routePattern('/items/:id')).toBeUndefined();
      expect(router.routePreflights(['/items'])).toBeUndefined();
      expect(router.chosenRoute).toBeUndefined();
    });

    it('has no version filters for unversioned routes', () => {
      expect(router.versionFilters([route(), route()], VERSIONING)).toEqual([]);
    });

    it('refuses versioned routes, naming the platform: it cannot tell which handler its router picks', () => {
      expect(() => router.versionFilters([route(), route('2')], VERSIONING)).toThrow(CorsConfigurationError);
      expect(() => router.versionFilters([route('2')], VERSIONING)).toThrow("nestjs-route-cors cannot tell which versioned handler node's router picks for a request");
    });

    it('describes a request as the description itself', () => {
      const description = { url: '/items', headers: { accept: 'text/plain' }, hostname: 'api.test' };
      expect(router.describedRequest(description)).toBe(description);
    });
  });

  describe("a platform's own router part", () => {
    it('replaces the defaults member by member, keeping the others', () => {
      const router = routerOf(platformWith({ matching: { caseSensitive: false, ignoreTrailingSlash: true }, routePattern: (path) => `${path}{/}` }));
      expect(router.matching).toEqual({ caseSensitive: false, ignoreTrailingSlash: true });
      expect(router.routePattern('/items')).toBe('/items{/}');
      expect(router.routingPath({ url: '/items?x=1' }, '/items?x=1')).toBe('/items');
    });

    it('keeps the prototype methods of a class-instance router, bound to the instance', () => {
      class PrefixRouter implements Partial<CorsRouter<FakeRequest>> {
        private readonly prefix = '/v1';
        private readonly chosen = new Map<string, string>([['/v1/items', 'Items.list']]);

        routingPath(_request: FakeRequest, url: string): string {
          return `${this.prefix}${url}`;
        }

        chosenRoute<T>(request: FakeRequest, registered: ReadonlyMap<string, T>): T | null {
          return registered.get(this.chosen.get(`${this.prefix}${request.url}`) ?? '') ?? null;
        }
      }
      const router = routerOf(platformWith(new PrefixRouter()));
      expect(router.routingPath({ url: '/items' }, '/items')).toBe('/v1/items');
      expect(router.chosenRoute?.({ url: '/items' }, new Map([['Items.list', 'row']]))).toBe('row');
    });
  });
});
