/**
 * `CorsPolicies.explain()` agrees with what the server answers for the same
 * request, on the fixture app's routes (credentials, a custom header, methods
 * outside a policy, strict refusals, an origin predicate).
 */
import { expectExplanationAgrees, input, json } from '../../../test/support/explain-agreement.js';
import { startFixtureApp, useApp } from '../../../test/support/fixture-app.js';
import { ALLOWED, FixtureModule, PARTNER } from './fixtures/fixture.module.js';

describe('explain() agrees with the fixture app', () => {
  const running = useApp(() => startFixtureApp(FixtureModule));

  it.each([
    input(ALLOWED, 'POST', '/account/profile', json, true),
    input(ALLOWED, 'PUT', '/items/7', [{ name: 'X-Trace' }]),
    input(ALLOWED, 'DELETE', '/items/7'),
    input(ALLOWED, 'patch', '/items/7'),
    input('https://evil.com', 'POST', '/bank/transfer'),
    input(PARTNER, 'GET', '/partner'),
    input('https://broken.example.net', 'GET', '/partner'),
  ])('%j', (explainInput) => expectExplanationAgrees(running.app(), explainInput));
});
