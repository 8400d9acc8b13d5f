/**
 * The shapes of the greet API's answers, for the OpenAPI document: what
 * README's API section and its error table say, as schemas.
 */
import { ApiProperty } from '@nestjs/swagger';
import type { ErrorBody } from '../common/http-error.filter.js';
import type { Greeting, LanguageList } from '../greet/greet.service.js';
import { GREETINGS } from '../greet/languages.js';

export class GreetingResponse implements Greeting {
  @ApiProperty({ example: 'Hola, Alice!' })
  readonly greeting!: string;

  @ApiProperty({ format: 'date-time', description: 'ISO-8601 UTC, ending in Z', example: '2026-11-23T10:00:00.123Z' })
  readonly timestamp!: string;
}

export class LanguageListResponse implements LanguageList {
  @ApiProperty({ example: 'en' })
  readonly default!: string;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: GREETINGS })
  readonly languages!: Readonly<Record<string, string>>;
}

export class HealthResponse {
  @ApiProperty({ enum: ['ok'] })
  readonly status!: 'ok';
}

export class ErrorResponse implements ErrorBody {
  @ApiProperty({ example: "Missing required field: 'name'" })
  readonly error!: string;
}

/** Every answer carries it; the `frontend` policy exposes it to the page. */
export const REQUEST_ID_HEADER = {
  'X-Request-Id': {
    description: 'Yours when it matches ^[A-Za-z0-9._:-]{1,128}$, a fresh UUID otherwise',
    schema: { type: 'string' },
  },
};
