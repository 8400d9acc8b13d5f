/**
 * The HTTP platform a test run covers: the jest configurations run the e2e and
 * browser suites once per platform, each project setting the `HTTP_ADAPTER`
 * global (jest.config.js `platforms()`). Express when run outside a project.
 */
import { HTTP_ADAPTERS, type HttpAdapterName } from '../../src/common/app-config.js';

function platformUnderTest(): HttpAdapterName {
  const name: unknown = (globalThis as { HTTP_ADAPTER?: unknown }).HTTP_ADAPTER ?? 'express';
  const known = HTTP_ADAPTERS.find((adapter) => adapter === name);
  if (known === undefined) throw new Error(`unknown HTTP_ADAPTER global ${String(name)}`);
  return known;
}

export const HTTP_ADAPTER: HttpAdapterName = platformUnderTest();
