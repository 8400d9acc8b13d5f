/**
 * Deployment tests (`npm run test:deploy`): two built instances behind nginx
 * with a shared cache, all on loopback. Same ESM set-up as jest.config.js.
 * @type {import('jest').Config}
 */
import { runOptions, shared } from './jest.config.js';

export default {
  ...shared,
  ...runOptions,
  testRegex: ['test/deploy/.*\\.deploy-spec\\.ts$'],
  testTimeout: 60_000,
};
