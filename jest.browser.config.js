/**
 * Browser tests (`npm run test:browser`): Debian's Chromium against the built
 * service. Same ESM set-up as jest.config.js.
 * @type {import('jest').Config}
 */
import { runOptions, platforms } from './jest.config.js';

/** The demo's cases on both platforms: the service runs with the project's HTTP_ADAPTER. */
export default {
  ...runOptions,
  testTimeout: 60_000,
  projects: platforms('test/browser/.*\\.browser-spec\\.ts$').map((project) => ({ ...project, testTimeout: 60_000 })),
};
