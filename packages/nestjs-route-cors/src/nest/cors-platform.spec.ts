import { NO_OTHER_READINGS } from '../core/cors-decision.js';
import { type CorsRouter, otherReadings } from './cors-platform.js';

/** A router whose form of a path is the path in lower case, as a case-insensitive Fastify router's is. */
const lowerCasing = { readingPath: (path: string) => path.toLowerCase() } as Pick<
  CorsRouter<unknown>,
  'readingPath'
> as CorsRouter<unknown>;

describe('otherReadings', () => {
  it('has none for a path every layer reads as the router does', () => {
    expect(otherReadings(lowerCasing, '/items/42?x=%2e', '/items/42')).toBe(NO_OTHER_READINGS);
  });

  it("gives the other readings in the router's form, each once, and none that equals the router's own", () => {
    expect(otherReadings(lowerCasing, '/Assets//Private/a.txt', '/assets//private/a.txt')).toEqual([
      '/assets/private/a.txt',
    ]);
    expect(otherReadings(lowerCasing, '/a/%2E/b', '/a/./b')).toEqual(['/a/%2e/b', '/a/b']);
  });

  it('leaves a path longer than it reads unread', () => {
    const long = `/${'a'.repeat(2_048)}`;
    expect(otherReadings(lowerCasing, long, long)).toBe('unread');
    expect(otherReadings(lowerCasing, long.slice(0, 2_048), long.slice(0, 2_048))).toBe(NO_OTHER_READINGS);
  });
});
