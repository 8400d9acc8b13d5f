import { Injectable } from '@nestjs/common';
import type { CorsPolicyOptions, PredicateCacheStats } from '../core/index.js';
import { CorsRouteTable } from './cors-route-table.js';

/**
 * The named policies at run time: inject it to replace one (a tenant
 * registers a front-end domain) or to read a predicate cache's figures.
 */
@Injectable()
export class CorsPolicies {
  constructor(private readonly routes: CorsRouteTable) {}

  /**
   * Replaces the named policy, validated exactly as at start-up; throws a
   * CorsConfigurationError naming the problem and keeps the current one if
   * the new options are invalid. Requests already being decided finish under
   * the old policy; every later one gets the new one, with an empty cache.
   */
  replace(name: string, options: CorsPolicyOptions): void {
    this.routes.replacePolicy(name, options);
  }

  /** Hits, misses and size of the named policy's `originPredicateCache`; undefined without one. */
  predicateCacheStats(name: string): PredicateCacheStats | undefined {
    return this.routes.namedPolicy(name)?.originPredicate?.stats();
  }
}
