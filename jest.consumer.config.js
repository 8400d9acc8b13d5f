/**
 * The package consumer tests (`npm run test:consumer`): `npm pack` once
 * (test/consumer/pack.js), then new Nest apps (each supported Nest major as
 * its starter makes it, and Nest 11 as Nest's own samples are) install the
 * tarball and run the README's quick start and the app's own test runner on
 * `expectCors` (the matrix in docs/testing.md). Same ESM set-up as
 * jest.config.js.
 * @type {import('jest').Config}
 */
import { shared } from './jest.config.js';

export default {
  ...shared,
  testRegex: ['test/consumer/.*\\.consumer-spec\\.ts$'],
  globalSetup: '<rootDir>/test/consumer/pack.js',
  globalTeardown: '<rootDir>/test/consumer/unpack.js',
  testTimeout: 300_000,
};
