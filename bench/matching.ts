/**
 * The per-request CORS decision alone, in-process: nanoseconds per
 * `decideCors` for the two-origin and the 1,000 + 50 policy, and for origins
 * answered from a predicate's cache. Shows whether matching grows with the
 * allowlist, and what a cached answer costs, without any HTTP noise.
 */
import { compilePolicy, type CompiledCorsPolicy, type CorsRequestFacts, decideCors } from 'nestjs-route-cors/core';
import { ALLOWED_ORIGIN, DISALLOWED_ORIGIN, LARGE_ALLOWLIST, TWO_ORIGINS } from './policies.js';

export interface MatchingRow {
  readonly policy: string;
  readonly origin: string;
  readonly nsPerDecision: number;
}

const FRONTEND = { methods: ['POST'], allowedHeaders: ['Content-Type'], exposedHeaders: ['X-Request-Id'], maxAge: 60 };

function policy(origins: readonly string[]): CompiledCorsPolicy {
  return compilePolicy('bench', { origins, ...FRONTEND });
}

/** The article's origins decided by a predicate behind a cache: a cached answer against a listed one. */
function cachedPredicatePolicy(): CompiledCorsPolicy {
  const allowed = new Set(TWO_ORIGINS);
  return compilePolicy('bench', {
    origins: [],
    originPredicate: (origin) => allowed.has(origin),
    originPredicateCache: { ttl: 3_600_000, negativeTtl: 3_600_000, max: 1_000 },
    ...FRONTEND,
  });
}

function nsPerDecision(compiled: CompiledCorsPolicy, origin: string, iterations: number): number {
  const facts: CorsRequestFacts = {
    method: 'POST',
    origin,
    selfOrigin: 'http://localhost:5000',
    requestMethod: undefined,
    requestHeaders: undefined,
    carriesCookies: false,
  };
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const decision = decideCors(compiled, facts);
    if (!(decision instanceof Promise) && decision.allowed) allowed += 1;
  }
  const elapsed = Number(process.hrtime.bigint() - start);
  if (allowed !== 0 && allowed !== iterations) throw new Error('inconsistent decisions');
  return elapsed / iterations;
}

export function measureMatching(iterations = 1_000_000): MatchingRow[] {
  const policies: Array<[string, CompiledCorsPolicy]> = [
    ['2 origins', policy(TWO_ORIGINS)],
    ['1000 origins + 50 patterns', policy(LARGE_ALLOWLIST)],
    ['predicate, cached answers', cachedPredicatePolicy()],
  ];
  const origins = [ALLOWED_ORIGIN, DISALLOWED_ORIGIN, 'https://a.tenant-49.example.net'];
  const rows: MatchingRow[] = [];
  for (const [name, compiled] of policies) {
    for (const origin of origins) {
      nsPerDecision(compiled, origin, iterations / 10); // warm-up: let V8 optimise
      const samples = [1, 2, 3].map(() => nsPerDecision(compiled, origin, iterations));
      rows.push({ policy: name, origin, nsPerDecision: Math.min(...samples) });
    }
  }
  return rows;
}
