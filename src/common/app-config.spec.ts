import { ConfigError, DEFAULT_DEV_ORIGINS, DEFAULT_PORT } from './app-config.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getMetadataStorage } from 'class-validator';
import { EnvironmentVariables, loadConfig } from './environment.js';

describe('loadConfig', () => {
  it("uses the article's defaults outside production", () => {
    const config = loadConfig({});
    expect(config.port).toBe(DEFAULT_PORT);
    expect(config.host).toBeUndefined();
    expect(config.cors.allowedOrigins).toEqual(DEFAULT_DEV_ORIGINS);
    expect(config.cors.allowCredentials).toBe(false);
    expect(config.cors.mode).toBe('enforce');
  });

  it('reads CORS_MODE=report-only', () => {
    expect(loadConfig({ CORS_MODE: 'report-only' }).cors.mode).toBe('report-only');
  });

  it('reads and normalises the allowlist from CORS_ALLOWED_ORIGINS', () => {
    const config = loadConfig({
      CORS_ALLOWED_ORIGINS: ' https://App.example.com , https://*.example.org,',
      CORS_ALLOW_CREDENTIALS: 'true',
    });
    expect(config.cors.allowedOrigins).toEqual(['https://app.example.com', 'https://*.example.org']);
    expect(config.cors.allowCredentials).toBe(true);
  });

  it.each([
    [{ NODE_ENV: 'production' }, /CORS_ALLOWED_ORIGINS is required when NODE_ENV=production/],
    [
      { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:1234' },
      /entry "http:\/\/localhost:1234" is a local origin/,
    ],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'http://127.0.0.1:8080' }, /is a local origin/],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://*.dev.localhost' }, /is a local origin/],
    [{ CORS_ALLOWED_ORIGINS: ' , ' }, /CORS_ALLOWED_ORIGINS is empty/],
    [{ CORS_ALLOWED_ORIGINS: '*' }, /CORS_ALLOWED_ORIGINS must not contain '\*'/],
    [
      { CORS_ALLOWED_ORIGINS: 'http://localhost:1234/' },
      /CORS_ALLOWED_ORIGINS entry "http:\/\/localhost:1234\/" has a trailing slash; write it as "http:\/\/localhost:1234"/,
    ],
    [{ CORS_ALLOWED_ORIGINS: 'not a url' }, /CORS_ALLOWED_ORIGINS entry "not a url"/],
    [{ CORS_ALLOW_CREDENTIALS: 'yes' }, /CORS_ALLOW_CREDENTIALS "yes" must be true or false/],
    [{ CORS_MODE: 'shadow' }, /CORS_MODE "shadow" must be one of enforce, report-only/],
    [{ CORS_MODE: 'Report-Only' }, /CORS_MODE "Report-Only" must be one of enforce, report-only/],
    [{ PORT: 'eighty' }, /PORT "eighty"/],
    [{ PORT: '70000' }, /PORT "70000"/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL "loud" must be one of/],
    [{ TRUST_PROXY: 'yes please' }, /TRUST_PROXY "yes please" must be true, false, a number of hops/],
    [{ TRUST_PROXY: 'TRUE' }, /TRUST_PROXY "TRUE" must be true, false, a number of hops/],
    [{ NODE_ENV: 'Production' }, /NODE_ENV "Production" must be one of development, production, test/],
    [{ CORS_ALLOWED_ORIGINS: '' }, /CORS_ALLOWED_ORIGINS is empty/],
  ])('refuses %j, naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it.each([
    [undefined, false],
    ['true', true],
    ['2', 2],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('reads TRUST_PROXY=%s as %j', (value, expected) => {
    expect(loadConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it('lists every problem at once', () => {
    expect(() => loadConfig({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(
      /Invalid configuration:\n {2}- PORT.*\n {2}- LOG_LEVEL/,
    );
  });

  it('accepts production with public origins', () => {
    expect(loadConfig({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' }).production).toBe(
      true,
    );
  });
});

describe('.env.example', () => {
  // Every setting, those left commented out included.
  const lines = readFileSync(join(import.meta.dirname, '..', '..', '.env.example'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/^# (?=[A-Z_]+=)/, ''))
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
  const example = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

  it('documents every setting the service reads, and only those', () => {
    const settings = Object.keys(validationMetadatasOf(EnvironmentVariables)).sort();
    expect(Object.keys(example).sort()).toEqual(settings);
  });

  it('is a valid configuration as it stands', () => {
    expect(loadConfig(example)).toMatchObject({
      port: 5000,
      host: undefined,
      apiDocs: true,
      cors: { allowedOrigins: DEFAULT_DEV_ORIGINS },
    });
  });
});

describe('API_DOCS', () => {
  it.each([
    [{}, true],
    [{ API_DOCS: 'false' }, false],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' }, false],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com', API_DOCS: 'true' }, true],
  ])('%j serves the docs: %s', (env, expected) => {
    expect(loadConfig(env).apiDocs).toBe(expected);
  });
});

/** The properties class-validator checks on a class: the settings it declares. */
function validationMetadatasOf(target: new () => object): Record<string, unknown> {
  return Object.fromEntries(
    getMetadataStorage()
      .getTargetValidationMetadatas(target, '', true, false)
      .map((m) => [m.propertyName, true]),
  );
}
