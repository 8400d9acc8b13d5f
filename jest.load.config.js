/**
 * Load and fault tests (`npm run test:load`): the built service under a
 * bounded mixed load on loopback. Same ESM set-up as jest.config.js.
 * @type {import('jest').Config}
 */
import { runOptions, shared } from './jest.config.js';

export default {
  ...shared,
  ...runOptions,
  testRegex: ['test/load/.*\\.load-spec\\.ts$'],
  testTimeout: 600_000,
};
