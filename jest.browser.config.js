/**
 * Browser tests (`npm run test:browser`): Debian's Chromium against the built
 * service. Same ESM set-up as jest.config.js.
 * @type {import('jest').Config}
 */
import base from './jest.config.js';

export default {
  ...base,
  testRegex: ['test/browser/.*\\.browser-spec\\.ts$'],
  testTimeout: 60_000,
};
