import 'reflect-metadata';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fc from 'fast-check';
import { supportedReleases } from '../nest/supported-releases.js';
import { FastifyRouter } from './fastify-router.js';

/** What the adapter computes for its own middleware matching, which the platform file reads. */
interface AdapterRouting {
  sanitizeUrl(url: string): string;
  isRoutableRequestTarget(url: string): boolean;
}

function requestFor(url: string): FastifyRequest {
  return { raw: { url } } as FastifyRequest;
}

/** Request targets mixing what `sanitizeUrl` changes (case, `%`, `;`, `//`, a trailing `/`) with what it keeps. */
const targets = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .array(fc.stringMatching(/^[a-zB0-9._~%;:*-]{0,6}$/), { minLength: 1, maxLength: 4 })
      .map((segments) => `/${segments.join('/')}`),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '/',
      '//x',
      '/x/',
      '/a%2Fb',
      '/A',
      '/%41',
      '/a;b',
      'http://h/a',
      'http://h',
      '*a',
      '/a?b=1',
      '/a?/b',
    ),
  },
);

describe.each([
  ['default', {}],
  ['case-insensitive', { routerOptions: { caseSensitive: false } }],
  ['ignoring a trailing slash', { routerOptions: { ignoreTrailingSlash: true } }],
  [
    'ignoring duplicate slashes, semicolon delimiter',
    { routerOptions: { ignoreDuplicateSlashes: true, useSemicolonDelimiter: true } },
  ],
])('the routing path on a %s Fastify router', (_name, options) => {
  const adapter = new FastifyAdapter(options);
  const routing = adapter as unknown as AdapterRouting;
  const router = new FastifyRouter(adapter);

  afterAll(() => adapter.close());

  /** The router answers a malformed escape with 400 itself: no path. */
  function sanitized(path: string): string | undefined {
    try {
      return routing.sanitizeUrl(path);
    } catch {
      return undefined;
    }
  }

  it("is the adapter's own sanitizeUrl of the path, or none for a target the router cannot route, also where it skips that work", () => {
    let unchanged = 0;
    let changed = 0;
    fc.assert(
      fc.property(targets, (url) => {
        const path = url.split('?')[0] ?? url;
        const expected = routing.isRoutableRequestTarget(url) ? sanitized(path) : undefined;
        if (expected === path) unchanged += 1;
        else changed += 1;
        expect(router.routingPath(requestFor(url), url)).toBe(expected);
      }),
      { numRuns: 3000 },
    );
    // Both kinds of path were tried: the ones the shortcut returns as they are, and the ones only sanitizeUrl gets right.
    expect(unchanged).toBeGreaterThan(300);
    expect(changed).toBeGreaterThan(300);
  });
});

describe('an adapter without the routing members the platform reads (@nestjs/platform-fastify before 11.2.8)', () => {
  it.each([
    // What FastifyAdapter 11.0 to 11.2.6 look like: no isRoutableRequestTarget().
    ['isRoutableRequestTarget', 'isRoutableRequestTarget()'],
    ['sanitizeUrl', 'sanitizeUrl()'],
    ['versionConstraint', 'versionConstraint.deriveConstraint()'],
  ])('stops start-up with a message naming a missing %s', (member, named) => {
    const adapter = new FastifyAdapter();
    Object.defineProperty(adapter, member, { value: undefined });
    expect(() => new FastifyRouter(adapter)).toThrow(
      `has no FastifyAdapter ${named}, which tell how its router reads paths and versions; nestjs-route-cors needs ${supportedReleases('@nestjs/platform-fastify')}`,
    );
    return adapter.close();
  });
});

describe('the route Fastify chose for a request, as it registered it', () => {
  type Handler = (request: FastifyRequest, reply: FastifyReply) => void;
  const answer: Handler = (_request, reply) => void reply.send('ok');

  /** A handler as Nest registers one: the controller method's metadata copied onto it, named or not. */
  function nestHandler(name: string): Handler {
    const handler: Handler = (request, reply) => answer(request, reply);
    Object.defineProperty(handler, 'name', { value: name });
    Reflect.defineMetadata(PATH_METADATA, '/', handler);
    return handler;
  }

  it.each([
    ['a handler Nest 12.5+ named: its name', nestHandler('Messages.list'), 'Messages.list', true],
    ['a Nest handler without a name (Nest 11): an empty name', nestHandler(''), '', true],
    ["a handler that is not Nest's", answer, 'answer', false],
  ])('for %s', async (_label, handler, name, nest) => {
    const adapter = new FastifyAdapter();
    const router = new FastifyRouter(adapter);
    const instance = adapter.getInstance();
    const chosen: unknown[] = [];
    instance.addHook('onRequest', (request, _reply, done) => {
      chosen.push(router.chosenRoute(request));
      done();
    });
    instance.route({ method: 'GET', url: '/messages', handler });
    // Over a socket: inject() loads light-my-request, which require()s an ES module jest cannot load.
    const address = await instance.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${address}/messages`);
    await fetch(`${address}/messages`, { method: 'HEAD' });
    await adapter.close();
    const [get, head] = router.registrations();
    expect(chosen).toEqual([
      { method: 'GET', path: '/messages', handler: name, nest },
      { method: 'HEAD', path: '/messages', handler: name, nest },
    ]);
    // The registration itself, not a copy: the route table maps it to its row by identity.
    expect(chosen[0]).toBe(get);
    expect(chosen[1]).toBe(head);
  });
});
