/**
 * nestjs-route-cors: CORS policies declared per controller, handler and
 * gateway with `@Cors()`, enforced ahead of Nest's guards, body parser and
 * router. What an application uses; the test helpers
 * (`nestjs-route-cors/testing`), the OpenAPI helper (`nestjs-route-cors/openapi`)
 * and the framework-free core (`nestjs-route-cors/core`) are entry points of
 * their own. Stable (semver from 1.0; within 0.x, breaking changes only in a
 * minor): everything exported here.
 */
export { CorsModule } from './cors.module.js';
export { Cors, type CorsDecoratorOptions } from './nest/cors.decorator.js';
export { CorsPolicies, type CorsAuditOptions } from './nest/cors-policies.service.js';
export { allowedByCors } from './nest/csrf.js';
export type {
  CorsModuleAsyncOptions,
  CorsModuleOptions,
  CorsPathRule,
  CorsRejectionEvent,
} from './nest/cors-module-options.interface.js';
export { CORS_MODES } from './core/policy.js';
export type {
  CorsMode,
  CorsPolicyOptions,
  CrossOriginResourcePolicy,
  NormalisedPolicyOptions,
  OriginPredicate,
  OriginPredicateCacheOptions,
  PredicateCacheStats,
  ToleratedCase,
  ToleratedRisk,
} from './core/policy.js';
export type { CorsDecisionKind } from './core/cors-decision.js';
export {
  DECISION_CHANNEL,
  type CorsAnswerSummary,
  type CorsDecisionEvent,
  type CorsDisagreement,
  type CorsEventKind,
  type CorsOriginClass,
  type CorsOutcome,
} from './core/decision-events.js';
export type { RejectionLogOptions } from './nest/rate-limited-log.js';
export type { CorsRejection } from './core/rejections.js';
export { formatRouteReport, type CorsRouteReport, type RouteReportRow } from './core/route-report.js';
export { routeReportJson, type CorsRouteReportJson, type RouteReportJsonRow } from './core/route-report-json.js';
export { AUDIT_SEVERITIES, reaches, type AuditCode, type AuditFinding, type AuditSeverity } from './core/audit.js';
export { AUDIT_FORMATS, formatAudit, type AuditFormat, type AuditFormatOptions } from './core/audit-format.js';
export {
  formatExplanation,
  type CorsExplainInput,
  type CorsExplanation,
  type RequestHeaderInput,
} from './nest/cors-explainer.js';
export { CorsConfigurationError, CorsPolicyError } from './core/errors.js';
export { CorsPolicySyncError } from './nest/cors-policy-sync.service.js';
export type {
  CorsPolicySync,
  CorsPolicySyncListener,
  StoredPolicySnapshot,
} from './nest/cors-policy-sync.interface.js';
export { describeVersion, type CorsPolicySource, type CorsPolicyVersion } from './core/policy-version.js';
export { CorsExplainInputError } from './nest/cors-explainer.js';
export { CorsRejectedException } from './nest/cors-rejected.exception.js';
export { CORS_REFUSED_MESSAGE } from './nest/cors.constants.js';
export { isOriginPattern, normaliseOrigin, OriginSyntaxError, parseOriginPattern } from './core/origin-syntax.js';
