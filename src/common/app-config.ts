/**
 * The service's typed configuration. It is read from the environment once at
 * start-up, by `@nestjs/config` (`.env` when present, real variables win) and
 * the validation in environment.ts; nothing else reads `process.env`.
 */
import type { LogLevel } from '@nestjs/common';
import { CorsConfigurationError, type CorsMode } from 'nestjs-route-cors';

export const APP_CONFIG = 'APP:CONFIG';

export const DEFAULT_PORT = 5000;
/** The article's front end, plus an https example: only outside production. */
export const DEFAULT_DEV_ORIGINS: readonly string[] = ['http://localhost:1234', 'https://app.example.com'];

export const HTTP_ADAPTERS = ['express', 'fastify'] as const;
export type HttpAdapterName = (typeof HTTP_ADAPTERS)[number];

export interface AppConfig {
  readonly port: number;
  /** Undefined: all interfaces (IPv4 and IPv6). */
  readonly host: string | undefined;
  readonly production: boolean;
  readonly logLevels: readonly LogLevel[];
  /** The HTTP platform: Express (default) or Fastify. */
  readonly httpAdapter: HttpAdapterName;
  /**
   * Express's `trust proxy` setting, Fastify's `trustProxy`: which proxies'
   * X-Forwarded-* headers to believe (the request's scheme decides what
   * counts as same-origin).
   */
  readonly trustProxy: boolean | number | string;
  /** Swagger UI at /docs and the OpenAPI document at /docs-json. */
  readonly apiDocs: boolean;
  readonly cors: {
    readonly allowedOrigins: readonly string[];
    readonly allowCredentials: boolean;
    /** `report-only` decides and reports every request and writes nothing: another CORS layer still answers. */
    readonly mode: CorsMode;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** A start-up error meant for people (a bad setting), as opposed to a bug: print its message, no stack. */
export function isConfigurationError(error: unknown): error is ConfigError | CorsConfigurationError {
  return error instanceof ConfigError || error instanceof CorsConfigurationError;
}
