/**
 * nestjs-route-cors: CORS policies declared per controller and per handler
 * with `@Cors()`, enforced ahead of Nest's guards, body parser and router.
 *
 * Stable (semver from 1.0; within 0.x, breaking changes only in a minor):
 * everything exported here. The framework-free core (`nestjs-route-cors/core`)
 * and the test helpers (`nestjs-route-cors/testing`) are separate entry points.
 */
export type { CorsPolicyOptions, OriginPredicate, OriginPredicateCacheOptions } from './core/policy.js';
export type { PredicateCacheStats } from './core/origin-predicate.js';
export { CorsConfigurationError } from './core/resolve-policy.js';
export { CorsPolicyError } from './core/compile-policy.js';
export type { CorsDecisionKind, CorsRejection } from './core/cors-headers.js';
export { isOriginPattern, normaliseOrigin, OriginSyntaxError, parseOriginPattern } from './core/origin-syntax.js';
export { formatRouteTable, type RouteReportRow } from './core/route-report.js';
export { Cors, CorsMetadata, type CorsDecoratorOptions } from './nest/cors.decorator.js';
export { CORS_REFUSED_MESSAGE } from './nest/cors.constants.js';
export { CorsModule } from './nest/cors.module.js';
export type { CorsModuleAsyncOptions, CorsModuleOptions, CorsRejectionEvent } from './nest/cors-module-options.interface.js';
export { CorsRejectedException } from './nest/cors-rejected.exception.js';
export { CorsRouteTable, type CorsRoute } from './nest/cors-route-table.js';
export { CorsPolicies } from './nest/cors-policies.service.js';
export {
  CorsExplainInputError,
  explainCorsRequest,
  formatExplanation,
  type CorsExplainInput,
  type CorsExplanation,
  type RequestHeaderInput,
} from './nest/cors-explainer.js';
export { CorsGateways, type CorsGatewayServer } from './websockets/cors-gateways.js';
export { explainGatewayHandshake, type GatewayExplainInput } from './websockets/gateway-explainer.js';
