/**
 * The service's configuration, read from the environment once at start-up.
 * This is the only module that reads `process.env` (main.ts passes it in).
 * Every problem is reported at once, each naming its variable.
 */
import type { LogLevel } from '@nestjs/common';
import { CorsConfigurationError, isOriginPattern, normaliseOrigin, OriginSyntaxError, parseOriginPattern } from 'nestjs-route-cors';

export const APP_CONFIG = 'APP:CONFIG';

export const DEFAULT_PORT = 5000;
/** The article's front end, plus an https example: only outside production. */
export const DEFAULT_DEV_ORIGINS: readonly string[] = ['http://localhost:1234', 'https://app.example.com'];

export interface AppConfig {
  readonly port: number;
  /** Undefined: all interfaces (IPv4 and IPv6). */
  readonly host: string | undefined;
  readonly production: boolean;
  readonly logLevels: readonly LogLevel[];
  /**
   * Express's `trust proxy` setting: which proxies' X-Forwarded-* headers to
   * believe (the request's scheme decides what counts as same-origin).
   */
  readonly trustProxy: boolean | number | string;
  readonly cors: {
    readonly allowedOrigins: readonly string[];
    readonly allowCredentials: boolean;
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

const LOG_LEVELS: Readonly<Record<string, readonly LogLevel[]>> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  verbose: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Hosts that only exist on the developer's machine. */
const LOCAL_HOST = /^(localhost|.*\.localhost|127(\.\d+){3}|\[::1\]|0\.0\.0\.0)$/;

type Env = Readonly<Record<string, string | undefined>>;

function parsePort(value: string | undefined, problems: string[]): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    problems.push(`PORT "${value}" must be a whole number from 0 to 65535`);
  }
  return port;
}

function parseBoolean(name: string, value: string | undefined, problems: string[]): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  problems.push(`${name} "${value}" must be true or false`);
  return false;
}

function parseLogLevels(value: string | undefined, problems: string[]): readonly LogLevel[] {
  const levels = LOG_LEVELS[value ?? 'log'];
  if (!levels) {
    problems.push(`LOG_LEVEL "${value}" must be one of ${Object.keys(LOG_LEVELS).join(', ')}`);
    return LOG_LEVELS.log ?? [];
  }
  return levels;
}

/** `false` (default), `true`, a hop count, or Express's list of addresses/subnets (`loopback`, `10.0.0.0/8`). */
function parseTrustProxy(value: string | undefined, problems: string[]): boolean | number | string {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  if (/^[\w.:/]+(\s*,\s*[\w.:/]+)*$/.test(value)) return value;
  problems.push(`TRUST_PROXY "${value}" must be true, false, a number of hops, or a comma-separated list of addresses`);
  return false;
}

function hostOf(origin: string): string {
  return origin.slice(origin.indexOf('://') + 3).replace(/^\*\./, '').replace(/:\d+$/, '');
}

function parseAllowedOrigins(value: string | undefined, production: boolean, problems: string[]): string[] {
  const name = 'CORS_ALLOWED_ORIGINS';
  if (value === undefined) {
    if (production) {
      problems.push(`${name} is required when NODE_ENV=production (a comma-separated list of origins)`);
    }
    return production ? [] : [...DEFAULT_DEV_ORIGINS];
  }
  const entries = value.split(',').map((e) => e.trim()).filter((e) => e !== '');
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

/** Reads and validates the configuration; throws a {@link ConfigError} listing every problem. */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const host = env.HOST === undefined || env.HOST.trim() === '' ? undefined : env.HOST.trim();
  const config: AppConfig = {
    port: parsePort(env.PORT, problems),
    host,
    production,
    logLevels: parseLogLevels(env.LOG_LEVEL, problems),
    trustProxy: parseTrustProxy(env.TRUST_PROXY, problems),
    cors: {
      allowedOrigins: parseAllowedOrigins(env.CORS_ALLOWED_ORIGINS, production, problems),
      allowCredentials: parseBoolean('CORS_ALLOW_CREDENTIALS', env.CORS_ALLOW_CREDENTIALS, problems),
    },
  };
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return config;
}
