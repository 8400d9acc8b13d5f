/** Public API of the decorator-driven CORS module. */
export * from './core/index.js';
export { Cors, CorsMetadata, type CorsDecoratorOptions } from './cors.decorator.js';
export { CORS_MODULE_OPTIONS } from './cors.constants.js';
export { CorsModule } from './cors.module.js';
export type { CorsModuleAsyncOptions, CorsModuleOptions, CorsRejectionEvent } from './cors-module-options.interface.js';
export { CorsMiddleware } from './cors.middleware.js';
export { CorsRejectedException } from './cors-rejected.exception.js';
export { CorsResponder } from './cors-responder.js';
export { CorsRouteTable, type CorsRoute } from './cors-route-table.js';
export { CorsExplainInputError, explainCorsRequest, formatExplanation, type CorsExplainInput, type CorsExplanation } from './cors-explainer.js';
