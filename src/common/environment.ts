/**
 * The service's environment, as `@nestjs/config` loads it (a `.env` file when
 * present; real variables win) and validates it with class-validator, the Nest
 * docs' own recipe. Every problem is listed at once, each naming its variable
 * and value. Origin syntax is the CORS package's job (`normaliseOrigin`,
 * `parseOriginPattern`), so the allowlist is checked with it.
 */
import { plainToInstance } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  Min,
  Validate,
  type ValidationError,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  validateSync,
} from 'class-validator';
import express from 'express';
import type { DynamicModule, LogLevel } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import {
  CORS_MODES,
  type CorsMode,
  isOriginPattern,
  normaliseOrigin,
  OriginSyntaxError,
  parseOriginPattern,
} from 'nestjs-route-cors';
import {
  type AppConfig,
  ConfigError,
  DEFAULT_DEV_ORIGINS,
  DEFAULT_PORT,
  HTTP_ADAPTERS,
  type HttpAdapterName,
} from './app-config.js';

export const LOG_LEVEL_NAMES = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
const BOOLEAN_WORDS = ['true', 'false'];
const NODE_ENVIRONMENTS = ['development', 'production', 'test'] as const;

/** `TRUST_PROXY` as Express's `trust proxy` setting (Fastify's `trustProxy` reads the same values). */
function trustProxyOf(value: string | undefined): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** Checked by Express itself, which otherwise throws at start-up with a stack trace (`invalid IP address`). */
@ValidatorConstraint({ name: 'expressTrustProxy' })
class ExpressTrustProxy implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    try {
      express().set('trust proxy', trustProxyOf(String(value)));
      return true;
    } catch {
      return false;
    }
  }

  defaultMessage(): string {
    return 'must be true, false, a number of hops, or a comma-separated list of addresses or subnets (loopback, 10.0.0.0/8)';
  }
}

/** Every setting the service reads. `.env.example` documents each one. */
export class EnvironmentVariables {
  /** `production` turns the production rules on; a typo must not turn them off. */
  @IsOptional()
  @IsIn(NODE_ENVIRONMENTS, { message: `must be one of ${NODE_ENVIRONMENTS.join(', ')}` })
  NODE_ENV?: (typeof NODE_ENVIRONMENTS)[number];

  @IsOptional()
  @IsInt({ message: 'must be a whole number from 0 to 65535' })
  @Min(0, { message: 'must be a whole number from 0 to 65535' })
  @Max(65_535, { message: 'must be a whole number from 0 to 65535' })
  PORT?: number;

  @IsOptional()
  @IsString()
  HOST?: string;

  @IsOptional()
  @IsIn(LOG_LEVEL_NAMES, { message: `must be one of ${LOG_LEVEL_NAMES.join(', ')}` })
  LOG_LEVEL?: (typeof LOG_LEVEL_NAMES)[number];

  /** The HTTP platform Nest runs on. */
  @IsOptional()
  @IsIn(HTTP_ADAPTERS, { message: `must be one of ${HTTP_ADAPTERS.join(', ')}` })
  HTTP_ADAPTER?: HttpAdapterName;

  /** `false` (default), `true`, a hop count, or Express's list of addresses/subnets (`loopback`, `10.0.0.0/8`). */
  @IsOptional()
  @Validate(ExpressTrustProxy)
  TRUST_PROXY?: string;

  /** Comma-separated origins and `https://*.example.com` patterns. */
  @IsOptional()
  @IsString()
  CORS_ALLOWED_ORIGINS?: string;

  @IsOptional()
  @IsIn(BOOLEAN_WORDS, { message: 'must be true or false' })
  CORS_ALLOW_CREDENTIALS?: string;

  /** `report-only`: decide and report, write nothing (the first step of a migration from another CORS layer). */
  @IsOptional()
  @IsIn(CORS_MODES, { message: `must be one of ${CORS_MODES.join(', ')}` })
  CORS_MODE?: CorsMode;

  /** Serve Swagger UI at /docs and the OpenAPI document at /docs-json. Default: outside production only. */
  @IsOptional()
  @IsIn(BOOLEAN_WORDS, { message: 'must be true or false' })
  API_DOCS?: string;
}

/** Hosts that only exist on the developer's machine. */
const LOCAL_HOST = /^(localhost|.*\.localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/;

function hostOf(origin: string): string {
  return origin
    .slice(origin.indexOf('://') + 3)
    .replace(/^\*\./, '')
    .replace(/:\d+$/, '');
}

/** The allowlist, normalised by the CORS package; the production rules on top. */
function allowedOrigins(value: string | undefined, production: boolean, problems: string[]): string[] {
  const name = 'CORS_ALLOWED_ORIGINS';
  if (value === undefined) {
    if (production) {
      problems.push(`${name} is required when NODE_ENV=production (a comma-separated list of origins)`);
    }
    return production ? [] : [...DEFAULT_DEV_ORIGINS];
  }
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) {
    problems.push(`${name} is empty; list the origins allowed to call the API`);
  }
  const origins: string[] = [];
  for (const entry of entries) {
    if (entry === '*') {
      problems.push(`${name} must not contain '*': it would let every website read the API's answers`);
      continue;
    }
    try {
      const origin = isOriginPattern(entry) ? parseOriginPattern(entry).source : normaliseOrigin(entry);
      if (production && LOCAL_HOST.test(hostOf(origin))) {
        problems.push(`${name} entry "${entry}" is a local origin, refused when NODE_ENV=production`);
      }
      origins.push(origin);
    } catch (error) {
      if (!(error instanceof OriginSyntaxError)) throw error;
      problems.push(`${name} entry ${error.message}`);
    }
  }
  return origins;
}

function problemsOf(errors: readonly ValidationError[], raw: Readonly<Record<string, unknown>>): string[] {
  // One sentence per variable: its name, the value as written, and the first rule it breaks.
  return errors.map(
    ({ property, constraints }) =>
      `${property} ${JSON.stringify(raw[property])} ${Object.values(constraints ?? {})[0] ?? 'is invalid'}`,
  );
}

const LOG_LEVELS: Readonly<Record<(typeof LOG_LEVEL_NAMES)[number], readonly LogLevel[]>> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/**
 * Validates the environment once: the variables as `@nestjs/config` keeps
 * them, and the service's typed configuration. Throws a ConfigError that
 * lists every problem.
 */
export function readEnvironment(raw: Readonly<Record<string, unknown>>): {
  readonly environment: EnvironmentVariables;
  readonly config: AppConfig;
} {
  const environment = plainToInstance(EnvironmentVariables, raw);
  if (typeof raw.PORT === 'string' && /^\d+$/.test(raw.PORT)) {
    environment.PORT = Number(raw.PORT);
  }
  const problems = problemsOf(validateSync(environment, { stopAtFirstError: true }), raw);
  const production = environment.NODE_ENV === 'production';
  const origins = allowedOrigins(environment.CORS_ALLOWED_ORIGINS, production, problems);
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  const config: AppConfig = {
    port: environment.PORT ?? DEFAULT_PORT,
    // `HOST=` (empty) in a .env file means "no host": every interface.
    host: environment.HOST?.trim() || undefined,
    production,
    logLevels: LOG_LEVELS[environment.LOG_LEVEL ?? 'log'],
    httpAdapter: environment.HTTP_ADAPTER ?? 'express',
    trustProxy: trustProxyOf(environment.TRUST_PROXY),
    apiDocs: environment.API_DOCS === undefined ? !production : environment.API_DOCS === 'true',
    cors: {
      allowedOrigins: origins,
      allowCredentials: environment.CORS_ALLOW_CREDENTIALS === 'true',
      mode: environment.CORS_MODE ?? 'enforce',
    },
  };
  return { environment, config };
}

/** The typed configuration of an environment map (tests, the benchmark), validated as at start-up. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): AppConfig {
  return readEnvironment(env).config;
}

/**
 * A problem with where its variable's value came from: @nestjs/config calls
 * `validate` before it copies the `.env` values into `process.env`, so a
 * value `process.env` lacks was read from `.env`.
 */
function withSource(problem: string, raw: Readonly<Record<string, unknown>>): string {
  const name = /^[A-Z][A-Z0-9_]*/.exec(problem)?.[0];
  if (name === undefined || raw[name] === undefined) return problem;
  return `${problem} (set in ${process.env[name] === undefined ? '.env' : 'the environment'})`;
}

/**
 * Loads `.env` from the working directory when present (real variables win)
 * and validates the whole environment with `@nestjs/config`, once, for
 * main.ts and the CLI: the ConfigModule to import (ConfigService is global)
 * and the typed configuration. Throws a ConfigError listing every problem.
 */
export async function loadAppConfig(): Promise<{ readonly config: AppConfig; readonly configModule: DynamicModule }> {
  let config: AppConfig | undefined;
  const configModule = await ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    validate: (raw) => {
      try {
        const read = readEnvironment(raw);
        config = read.config;
        return read.environment;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new ConfigError(error.problems.map((problem) => withSource(problem, raw)));
      }
    },
  });
  if (config === undefined) {
    throw new Error('@nestjs/config returned without validating the environment');
  }
  return { config, configModule };
}
