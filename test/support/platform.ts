/**
 * The HTTP platform a test run covers: the jest configurations run the e2e
 * suites once per platform, each project setting the `HTTP_ADAPTER` global
 * (jest.config.js). Express when run outside a project.
 */
export type HttpPlatformName = 'express' | 'fastify';

function platformUnderTest(): HttpPlatformName {
  const name: unknown = (globalThis as { HTTP_ADAPTER?: unknown }).HTTP_ADAPTER ?? 'express';
  if (name !== 'express' && name !== 'fastify') throw new Error(`unknown HTTP_ADAPTER global ${String(name)}`);
  return name;
}

export const HTTP_ADAPTER: HttpPlatformName = platformUnderTest();
export const ON_FASTIFY = HTTP_ADAPTER === 'fastify';
