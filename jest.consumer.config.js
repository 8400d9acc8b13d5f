/**
 * The package consumer test (`npm run test:consumer`): npm pack, a new Nest
 * app installs the tarball and runs the README's quick start. Same ESM set-up
 * as jest.config.js.
 * @type {import('jest').Config}
 */
import { shared } from './jest.config.js';

export default {
  ...shared,
  testRegex: ['test/consumer/.*\\.consumer-spec\\.ts$'],
  testTimeout: 300_000,
};
