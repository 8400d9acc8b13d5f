export * from './compile-policy.js';
export * from './cors-headers.js';
export * from './origin-matcher.js';
export * from './origin-syntax.js';
export * from './policy.js';
export * from './path-index.js';
export * from './resolve-policy.js';
export * from './route-report.js';
