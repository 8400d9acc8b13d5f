/**
 * nestjs-route-cors/core: the framework-free core, with no Nest or Express
 * import, for building on another framework. Compile a policy once
 * (`compilePolicy`), decide a request (`decideCors`), say why it was refused
 * (`describeRejection`), and their types. Experimental: it may change in any
 * 0.x minor release.
 */
export { compilePolicy } from './compile-policy.js';
export {
  type Awaitable,
  type CorsDecision,
  type CorsDecisionKind,
  type CorsEnding,
  type CorsRequestFacts,
  decideCors,
} from './cors-decision.js';
export { CorsPolicyError } from './errors.js';
export type {
  CompiledCorsPolicy,
  CorsPolicyOptions,
  CrossOriginResourcePolicy,
  GuardedOriginPredicate,
  NormalisedPolicyOptions,
  OriginPattern,
  OriginPredicate,
  OriginPredicateCacheOptions,
  PredicateCacheStats,
  PredicateVerdict,
} from './policy.js';
export { type CorsRejection, describeRejection } from './rejections.js';
