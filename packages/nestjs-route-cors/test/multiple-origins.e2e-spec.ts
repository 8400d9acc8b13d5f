/**
 * Several `Origin` values are refused, whatever each would get alone: Node
 * joins repeated headers with ", ", a value a loosely written predicate may
 * accept (see fixtures/loose-predicate.module.ts).
 */
import { accessControlForOrigins } from '../../../test/support/cors-headers.js';
import { listening, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';
import { LoosePredicateModule } from './fixtures/loose-predicate.module.js';

describe('several Origin values against a policy that would accept their joined value', () => {
  // The loose predicate accepts any value ending in ".example.com".
  const running = useApp(() => startFixtureApp(LoosePredicateModule));
  let port = 0;
  beforeAll(async () => {
    port = await listening(running.app());
  });

  it('allows each origin alone (the policy is the one the joined value could fool)', async () => {
    for (const origin of ['https://shop.example.com', 'https://a.partner.example.org']) {
      expect((await accessControlForOrigins(port, 'GET', '/loose', [origin]))['access-control-allow-origin']).toBe(
        origin,
      );
    }
  });

  it.each([
    ['a hostile origin, then one the predicate accepts', ['https://evil.com', 'https://shop.example.com']],
    ['an origin the predicate accepts, then a hostile one', ['https://shop.example.com', 'https://evil.com']],
    ['twice an origin the predicate accepts', ['https://shop.example.com', 'https://shop.example.com']],
    ['twice an origin the pattern accepts', ['https://a.partner.example.org', 'https://a.partner.example.org']],
    ['one header holding a comma-separated list', ['https://evil.com, https://shop.example.com']],
    ['one header holding a list, the accepted origin first', ['https://shop.example.com, https://evil.com']],
  ])('refuses %s, on actual requests and preflights', async (_label, origins) => {
    for (const [method, json] of [
      ['GET', undefined],
      ['POST', '{}'],
      ['OPTIONS', undefined],
    ] as const) {
      expect(await accessControlForOrigins(port, method, '/loose', origins, json)).toEqual({});
    }
  });
});
