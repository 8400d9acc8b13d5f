/** Injection token of the options given to `CorsModule.forRoot` / `forRootAsync`. */
export const CORS_MODULE_OPTIONS = 'CORS:MODULE_OPTIONS';

/**
 * Metadata key of `@Cors()`: a fixed string, not `Reflector.createDecorator()`'s
 * per-load random one, so that an application that loads the package twice
 * (its CommonJS and its ES module build, the dual-package hazard) reads with
 * one copy what a decorator of the other copy wrote.
 */
export const CORS_METADATA_KEY = 'nestjs-route-cors:cors';

/** Logger context of everything the CORS module logs. */
export const CORS_LOGGER_CONTEXT = 'Cors';

/** Body of every CORS refusal: says what happened, not why (the allowlist is not public). */
export const CORS_REFUSED_MESSAGE = 'Cross-origin request not allowed';

/** Where `exposeRejectionReason` puts the refusal's sentence, for the browser's developer tools. */
export const REJECTION_REASON_HEADER = 'X-CORS-Rejection-Reason';

/** Injection token of the gateways' reports, which CorsModule provides to CorsPolicies. */
export const CORS_GATEWAY_REPORTS = 'CORS:GATEWAY_REPORTS';
