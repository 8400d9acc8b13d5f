/**
 * Browser tests (`npm run test:browser`): the demo page (and `npm run demo`
 * itself) and the gateway in
 * the three engines Debian ships (Chromium, Firefox ESR, WebKit), each on both
 * HTTP platforms, against the built service. Same ESM set-up as jest.config.js.
 * One project per engine and platform (`chromium:express` ... `webkit:fastify`),
 * the `BROWSER_ENGINE` global telling a suite which engine
 * (test/browser/engine-under-test.ts). `BROWSER_ENGINES=firefox` (a
 * comma-separated list) runs only those engines.
 * @type {import('jest').Config}
 */
import { runOptions, platforms } from './jest.config.js';

const ENGINES = ['chromium', 'firefox', 'webkit'];
const selected = process.env.BROWSER_ENGINES?.split(',').map((name) => name.trim()) ?? ENGINES;
const unknown = selected.filter((name) => !ENGINES.includes(name));
if (unknown.length > 0)
  throw new Error(`BROWSER_ENGINES names ${unknown.join(', ')}; the engines are ${ENGINES.join(', ')}`);

/**
 * The suites every engine runs; Chromium also runs the ones only its DevTools protocol can check, and the package's own
 * browser suites (packages/nestjs-route-cors/test/browser), which run its fixture apps.
 */
const SUITES = {
  chromium: 'test/browser/.*\\.browser-spec\\.ts$',
  firefox: 'test/browser/(demo|demo-command|gateway)\\.browser-spec\\.ts$',
  webkit: 'test/browser/(demo|demo-command|gateway)\\.browser-spec\\.ts$',
};

export default {
  ...runOptions,
  testTimeout: 60_000,
  projects: selected.flatMap((engine) =>
    platforms(SUITES[engine]).map((project) => ({
      ...project,
      displayName: `${engine}:${project.displayName}`,
      globals: { ...project.globals, BROWSER_ENGINE: engine },
      // The package's browser suites live in its folder, which the other configurations leave to its own.
      testPathIgnorePatterns: ['/node_modules/'],
      testTimeout: 60_000,
    })),
  ),
};
