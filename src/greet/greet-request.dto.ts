import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Expose, Transform } from 'class-transformer';
import { IsDefined, IsIn, IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { LANGUAGE_CODES } from './languages.js';

function trimmed(value: unknown): unknown {
  return typeof value === 'string' ? value.trim() : value;
}

/** Echoed values are cut short: an error message must not grow with the payload. */
function shown(value: unknown): string {
  const text = String(value);
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/**
 * `POST /greet` body. Only `@Expose()`d fields are copied from the JSON, so
 * unknown fields, `__proto__` and `constructor` never reach the instance.
 * class-validator runs a property's checks bottom-up and, with
 * `stopAtFirstError`, reports the first failure: the type check sits below
 * the checks that assume a string.
 */
export class GreetRequestDto {
  @ApiProperty({ description: 'Who to greet; trimmed, not blank', example: 'Alice', minLength: 1 })
  @Expose()
  @Transform(({ value }) => trimmed(value))
  @IsDefined({ message: "Missing required field: 'name'" })
  @IsNotEmpty({ message: "Field 'name' cannot be empty" })
  @IsString({ message: "Field 'name' must be a string" })
  name!: string;

  @ApiPropertyOptional({
    description: 'Language, case-insensitive; remembered in the greet_lang cookie',
    enum: LANGUAGE_CODES,
    default: 'en',
  })
  @Expose()
  @Transform(({ value }) => {
    const text = trimmed(value);
    return typeof text === 'string' ? text.toLowerCase() : text;
  })
  @IsOptional()
  @IsIn(LANGUAGE_CODES, { message: ({ value }) => `Invalid or unsupported language selection: '${shown(value)}'` })
  @IsString({ message: "Field 'lang' must be a string" })
  lang?: string;
}
