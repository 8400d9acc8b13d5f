import { OriginPredicateRunner } from './origin-predicate.js';

const ORIGIN = 'https://tenant.example';

/** A predicate whose answers the test releases by hand, counting its calls. */
function controlled() {
  const pending: Array<(value: boolean) => void> = [];
  let calls = 0;
  return {
    predicate: (): Promise<boolean> => {
      calls += 1;
      return new Promise<boolean>((resolve) => pending.push(resolve));
    },
    answer: (value: boolean) => pending.splice(0).forEach((resolve) => resolve(value)),
    calls: () => calls,
  };
}

describe('OriginPredicateRunner', () => {
  describe('deadline', () => {
    it('refuses an origin whose predicate never answers, once the deadline has passed', async () => {
      const runner = new OriginPredicateRunner(() => new Promise<boolean>(() => undefined), 30, undefined);
      const started = Date.now();
      await expect(runner.check(ORIGIN)).resolves.toEqual({ allowed: false, failure: 'timeout', timeoutMs: 30 });
      expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    });

    it('ignores an answer that comes after the deadline, and keeps nothing of it', async () => {
      const slow = controlled();
      // Refusals are kept too, so that a timeout kept as a refusal would show.
      const runner = new OriginPredicateRunner(slow.predicate, 20, { ttl: 60_000, negativeTtl: 60_000, max: 10 });
      await expect(runner.check(ORIGIN)).resolves.toMatchObject({ failure: 'timeout' });
      slow.answer(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(runner.stats()?.size).toBe(0);
      const again = runner.check(ORIGIN);
      expect(slow.calls()).toBe(2);
      slow.answer(true);
      await expect(again).resolves.toEqual({ allowed: true });
    });
  });

  describe('floods', () => {
    it('never asks about something that is not an origin', () => {
      let calls = 0;
      const runner = new OriginPredicateRunner(() => ((calls += 1), true), 1_000, { ttl: 1_000, max: 10 });
      for (const origin of [
        'https://' + 'a'.repeat(300) + '.example',
        'https://a.example/path',
        'javascript:alert(1)',
        'https://u@a.example',
      ]) {
        expect(runner.check(origin)).toEqual({ allowed: false });
      }
      expect([calls, runner.stats()?.size]).toEqual([0, 0]);
    });

    it('refuses at once when 1,000 origins already wait for the predicate', () => {
      const runner = new OriginPredicateRunner(() => new Promise<boolean>(() => undefined), 60_000, undefined);
      for (let i = 0; i < 1_000; i += 1) void runner.check(`https://t${i}.example`);
      expect(runner.check('https://one-more.example')).toMatchObject({ allowed: false, failure: 'error' });
    });

    it('refuses a thenable whose then getter throws, without throwing itself', () => {
      const hostile = Object.defineProperty({}, 'then', {
        get: () => {
          throw new Error('boom');
        },
      });
      const runner = new OriginPredicateRunner(() => hostile as Promise<boolean>, 1_000, undefined);
      expect(runner.check('https://a.example')).toMatchObject({ allowed: false, failure: 'error' });
    });
  });

  describe('answers that are not a yes or a no', () => {
    it.each<[string, () => unknown]>([
      [
        'a throw',
        () => {
          throw new Error('database down');
        },
      ],
      ['a rejection', () => Promise.reject(new Error('database down'))],
      ['a string', () => 'yes'],
      ['undefined, later', () => Promise.resolve(undefined)],
      ['a thenable of a number', () => ({ then: (resolve: (value: number) => void) => resolve(1) })],
    ])('refuses %s as a failure, which is never cached', async (_label, predicate) => {
      const runner = new OriginPredicateRunner(predicate as () => boolean, 1_000, {
        ttl: 60_000,
        negativeTtl: 60_000,
        max: 10,
      });
      await expect(Promise.resolve(runner.check(ORIGIN))).resolves.toMatchObject({ allowed: false, failure: 'error' });
      expect(runner.stats()?.size).toBe(0);
    });

    it('accepts a thenable that answers true', async () => {
      const runner = new OriginPredicateRunner(
        () => ({ then: (resolve: (value: boolean) => void) => resolve(true) }) as unknown as Promise<boolean>,
        1_000,
        undefined,
      );
      await expect(runner.check(ORIGIN)).resolves.toEqual({ allowed: true });
    });
  });

  describe('coalescing', () => {
    it('shares one in-flight call among concurrent requests for an origin', async () => {
      const slow = controlled();
      const runner = new OriginPredicateRunner(slow.predicate, 1_000, undefined);
      const answers = Array.from({ length: 200 }, () => runner.check(ORIGIN));
      const other = runner.check('https://other.example');
      expect(slow.calls()).toBe(2);
      slow.answer(true);
      await expect(Promise.all(answers.map((answer) => Promise.resolve(answer)))).resolves.toEqual(
        Array.from({ length: 200 }, () => ({ allowed: true })),
      );
      await expect(other).resolves.toEqual({ allowed: true });
      // Settled: the next request asks again (no cache configured).
      void runner.check(ORIGIN);
      expect(slow.calls()).toBe(3);
    });
  });

  describe('cache', () => {
    it('answers from the cache within the TTL, synchronously, and counts hits and misses', () => {
      let now = 0;
      let calls = 0;
      const runner = new OriginPredicateRunner(
        () => ((calls += 1), true),
        1_000,
        { ttl: 100, max: 10 },
        () => now,
      );
      expect(runner.check(ORIGIN)).toEqual({ allowed: true });
      expect(runner.check(ORIGIN)).toEqual({ allowed: true });
      now = 99;
      expect(runner.check(ORIGIN)).toEqual({ allowed: true });
      expect(calls).toBe(1);
      now = 100;
      void runner.check(ORIGIN);
      expect(calls).toBe(2);
      expect(runner.stats()).toEqual({ hits: 2, misses: 2, size: 1 });
    });

    it('keeps refusals only for negativeTtl', () => {
      let now = 0;
      let calls = 0;
      const answer = () => ((calls += 1), false);
      const noNegative = new OriginPredicateRunner(answer, 1_000, { ttl: 100, max: 10 }, () => now);
      void noNegative.check(ORIGIN);
      void noNegative.check(ORIGIN);
      expect(calls).toBe(2);
      const negative = new OriginPredicateRunner(answer, 1_000, { ttl: 100, negativeTtl: 50, max: 10 }, () => now);
      void negative.check(ORIGIN);
      void negative.check(ORIGIN);
      expect(calls).toBe(3);
      now = 50;
      void negative.check(ORIGIN);
      expect(calls).toBe(4);
    });

    it('drops origins not used for a generation first, and keeps those in use', () => {
      const runner = new OriginPredicateRunner(
        () => true,
        1_000,
        { ttl: 1_000, max: 2 },
        () => 0,
      );
      const misses = () => runner.stats()?.misses ?? 0;
      void runner.check('https://a.example');
      void runner.check('https://b.example');
      void runner.check('https://a.example');
      void runner.check('https://c.example');
      void runner.check('https://d.example');
      const before = misses();
      void runner.check('https://a.example');
      expect(misses()).toBe(before);
      void runner.check('https://b.example');
      expect(misses()).toBe(before + 1);
      expect(runner.stats()?.size).toBeLessThanOrEqual(4);
    });

    it('keeps two origins used in turn with max 2: the max most recent are always kept', () => {
      const runner = new OriginPredicateRunner(
        () => true,
        1_000,
        { ttl: 1_000, max: 2 },
        () => 0,
      );
      for (let i = 0; i < 10; i += 1) void runner.check(i % 2 === 0 ? 'https://a.example' : 'https://b.example');
      expect(runner.stats()?.misses).toBe(2);
    });

    it('stays at its bound under a flood of 100,000 distinct origins', () => {
      const runner = new OriginPredicateRunner(() => true, 1_000, { ttl: 60_000, max: 1_000 });
      for (let i = 0; i < 100_000; i += 1) {
        void runner.check(`https://t${i}.${Math.random().toString(36).slice(2)}.example`);
      }
      expect(runner.stats()?.misses).toBe(100_000);
      expect(runner.stats()?.size).toBeLessThanOrEqual(2_000);
      expect(runner.stats()?.size).toBeGreaterThanOrEqual(1_000);
    });
  });
});
