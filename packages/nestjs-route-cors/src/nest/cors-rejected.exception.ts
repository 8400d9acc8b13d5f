import { ForbiddenException } from '@nestjs/common';
import { CORS_REFUSED_MESSAGE } from './cors.constants.js';

/**
 * A refused preflight, or an actual request refused by a strict policy.
 * Handed to the exception layer so the application's filters shape the 403;
 * it must never carry `Access-Control-*` headers.
 */
export class CorsRejectedException extends ForbiddenException {
  constructor() {
    super(CORS_REFUSED_MESSAGE);
  }
}
