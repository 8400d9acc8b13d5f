import { Reflector } from '@nestjs/core';
import type { CorsDeclaration, CorsPolicyOptions } from '../core/policy.js';
import { CORS_METADATA_KEY } from './cors.constants.js';

export interface CorsDecoratorOptions {
  /**
   * On a handler: unite this policy with the controller's (lists united, the
   * handler's scalar settings win) instead of replacing it.
   * @default false
   */
  readonly merge?: boolean;
}

/** The metadata behind `@Cors()`, read with `Reflector.get(CorsMetadata, target)`. */
export const CorsMetadata = Reflector.createDecorator<CorsDeclaration>({ key: CORS_METADATA_KEY });

/**
 * Declares the CORS policy of a controller or of one handler:
 * - `@Cors('frontend')`: a policy registered with `CorsModule.forRoot`;
 * - `@Cors({ origins: [...], ... })`: an inline policy;
 * - `@Cors(false)`: on a handler, opt out of the controller's policy.
 * A handler's policy replaces its controller's unless `{ merge: true }`.
 */
export function Cors(policy: string | CorsPolicyOptions | false, options: CorsDecoratorOptions = {}) {
  const merge = options.merge ?? false;
  if (policy === false) {
    return CorsMetadata({ kind: 'disabled' });
  }
  return CorsMetadata(
    typeof policy === 'string' ? { kind: 'named', name: policy, merge } : { kind: 'inline', options: policy, merge },
  );
}
