/**
 * Runs an application's `originPredicate` so that it can never hang or flood
 * the service: every call has a deadline, concurrent calls for one origin
 * share one in-flight call, and answers may be kept in a bounded
 * least-recently-used cache. One runner per compiled policy, so replacing a
 * policy starts with an empty cache.
 *
 * A cached answer must cost about what a listed origin costs, so the hit path
 * is one Map lookup and one number comparison: the cache keeps two
 * generations (a hit in the recent one moves nothing; moving an entry on every
 * hit measured ~280 ns), and reads a clock that a timer refreshes every
 * quarter second (`Date.now()` per hit measured ~50 ns; TTLs are seconds).
 */
import type {
  GuardedOriginPredicate,
  OriginPredicate,
  OriginPredicateCacheOptions,
  PredicateCacheStats,
  PredicateVerdict,
} from './policy.js';

const ALLOWED: PredicateVerdict = { allowed: true };
const REFUSED: PredicateVerdict = { allowed: false };

interface CachedAnswer {
  readonly verdict: PredicateVerdict;
  readonly expires: number;
}

function failed(error: unknown): PredicateVerdict {
  return { allowed: false, failure: 'error', error };
}

function verdictOf(answer: unknown): PredicateVerdict {
  if (typeof answer !== 'boolean') {
    return failed(new TypeError(`originPredicate answered ${typeof answer}, not a boolean`));
  }
  return answer ? ALLOWED : REFUSED;
}

/** A promise, or any object a database client returns that can be awaited. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

const CLOCK_TICK_MS = 250;
let coarseNow = performance.now();
let clockRunning = false;

/**
 * Monotonic milliseconds (a wall-clock step cannot stretch a TTL), at most a
 * quarter second old.
 */
function coarseClock(): number {
  if (!clockRunning) {
    clockRunning = true;
    coarseNow = performance.now();
    // Never keeps the process alive.
    setInterval(() => (coarseNow = performance.now()), CLOCK_TICK_MS).unref();
  }
  return coarseNow;
}

/** A browser's Origin is `scheme://host[:port]`: a host name has at most 253 characters. */
const SERIALISED_ORIGIN = /^https?:\/\/[^\s/?#@]{1,262}$/;

/**
 * Most predicate calls a policy waits for at once. Every new origin starts a
 * call (a refusal is not cached unless `negativeTtl` says so), so a flood of
 * invented origins would otherwise start as many database lookups and timers.
 */
export const MAX_PENDING_PREDICATE_CALLS = 1_000;

/**
 * Answers in two generations: new and used answers go to the recent one;
 * when it holds `max`, it becomes the older one and the previous older one
 * (answers not used since) is dropped. So the `max` most recently used
 * origins are always kept, and never more than 2 × max.
 */
class GenerationalCache {
  private recent = new Map<string, CachedAnswer>();
  private older = new Map<string, CachedAnswer>();

  constructor(private readonly generationSize: number) {}

  get size(): number {
    return this.recent.size + this.older.size;
  }

  get(origin: string): CachedAnswer | undefined {
    const recent = this.recent.get(origin);
    if (recent !== undefined) {
      return recent;
    }
    const older = this.older.get(origin);
    if (older !== undefined) {
      this.older.delete(origin);
      this.set(origin, older);
    }
    return older;
  }

  set(origin: string, answer: CachedAnswer): void {
    this.older.delete(origin);
    this.recent.set(origin, answer);
    if (this.recent.size >= this.generationSize) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }
}

export class OriginPredicateRunner implements GuardedOriginPredicate {
  private readonly inFlight = new Map<string, Promise<PredicateVerdict>>();
  private readonly cache: GenerationalCache | undefined;
  private hits = 0;
  private misses = 0;

  constructor(
    private readonly predicate: OriginPredicate,
    /** Milliseconds a call may take before the origin is refused. */
    readonly timeoutMs: number,
    private readonly cacheOptions: OriginPredicateCacheOptions | undefined,
    private readonly now: () => number = coarseClock,
  ) {
    this.cache = cacheOptions && new GenerationalCache(cacheOptions.max);
  }

  /** Synchronous for a cached answer or a synchronous predicate; a promise otherwise. */
  check(origin: string): PredicateVerdict | Promise<PredicateVerdict> {
    if (this.cache !== undefined) {
      const cached = this.cache.get(origin);
      if (cached !== undefined && cached.expires > this.now()) {
        this.hits += 1;
        return cached.verdict;
      }
      this.misses += 1;
    }
    const pending = this.inFlight.get(origin);
    if (pending !== undefined) {
      return pending;
    }
    if (!SERIALISED_ORIGIN.test(origin)) {
      // Not an origin a browser sends: not worth a lookup, nor a place in the cache.
      return REFUSED;
    }
    if (this.inFlight.size >= MAX_PENDING_PREDICATE_CALLS) {
      return failed(
        new RangeError(`${MAX_PENDING_PREDICATE_CALLS} origins are already waiting for the originPredicate`),
      );
    }
    let answer: unknown;
    try {
      answer = this.predicate(origin);
      if (!isThenable(answer)) {
        return this.remember(origin, verdictOf(answer));
      }
    } catch (error) {
      // The predicate, or the `then` of what it returned, threw.
      return failed(error);
    }
    const call = this.withDeadline(Promise.resolve(answer)).then((verdict) => {
      this.inFlight.delete(origin);
      return this.remember(origin, verdict);
    });
    this.inFlight.set(origin, call);
    return call;
  }

  /** The cache's figures; undefined when the policy keeps no answers. */
  stats(): PredicateCacheStats | undefined {
    return this.cache && { hits: this.hits, misses: this.misses, size: this.cache.size };
  }

  private withDeadline(answer: Promise<unknown>): Promise<PredicateVerdict> {
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ allowed: false, failure: 'timeout', timeoutMs: this.timeoutMs }),
        this.timeoutMs,
      );
      // A hanging predicate must not keep the process alive at shutdown.
      timer.unref();
      answer.then(
        (value) => {
          clearTimeout(timer);
          resolve(verdictOf(value));
        },
        (error: unknown) => {
          clearTimeout(timer);
          resolve(failed(error));
        },
      );
    });
  }

  /** Keeps a yes or a no for its TTL; a failure or a timeout is never kept. */
  private remember(origin: string, verdict: PredicateVerdict): PredicateVerdict {
    const options = this.cacheOptions;
    if (this.cache === undefined || options === undefined || 'failure' in verdict) {
      return verdict;
    }
    const ttl = verdict.allowed ? options.ttl : (options.negativeTtl ?? 0);
    if (ttl > 0) {
      this.cache.set(origin, { verdict, expires: this.now() + ttl });
    }
    return verdict;
  }
}
