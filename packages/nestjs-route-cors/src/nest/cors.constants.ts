/** Injection token of the options given to `CorsModule.forRoot` / `forRootAsync`. */
export const CORS_MODULE_OPTIONS = 'CORS:MODULE_OPTIONS';

/** Logger context of everything the CORS module logs. */
export const CORS_LOGGER_CONTEXT = 'Cors';

/** Body of every CORS refusal: says what happened, not why (the allowlist is not public). */
export const CORS_REFUSED_MESSAGE = 'Cross-origin request not allowed';

/** Where `exposeRejectionReason` puts the refusal's sentence, for the browser's developer tools. */
export const REJECTION_REASON_HEADER = 'X-CORS-Rejection-Reason';

/** Injection token of the gateways' reports, which CorsModule provides to CorsPolicies. */
export const CORS_GATEWAY_REPORTS = 'CORS:GATEWAY_REPORTS';
