/**
 * Nest 12 ships ES modules only, so jest runs in native ESM mode
 * (`node --experimental-vm-modules`) and ts-jest emits ESM.
 * Type-checking is `npm run typecheck`'s job; ts-jest only transpiles.
 *
 * `npm test` runs the service's tests and the package's in one jest run (one
 * result for CI to count): the service's unit tests once and its e2e suites
 * once per HTTP platform, the `HTTP_ADAPTER` global telling the harness which
 * (test/app.harness.ts); the package's projects as its own configuration
 * defines them (packages/nestjs-route-cors/jest.config.js), named
 * `nestjs-route-cors:unit`, `:express` and `:fastify`.
 * `npm test -- --selectProjects fastify nestjs-route-cors:fastify` runs one
 * platform. The other configurations start from `shared` (and `platforms`,
 * where they run on both).
 * @type {import('jest').Config}
 */
import { packageProjects } from './packages/nestjs-route-cors/jest.config.js';

export const shared = {
  // Node's, failing a suite that leaves a server listening or a child process running (and closing them).
  testEnvironment: '<rootDir>/test/support/open-handles.environment.js',
  // The package's suites are its own configuration's projects.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/packages/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The tests run the package from its source, so that a change is tested without a build.
  moduleNameMapper: {
    '^nestjs-route-cors$': '<rootDir>/packages/nestjs-route-cors/src/index.ts',
    '^nestjs-route-cors/core$': '<rootDir>/packages/nestjs-route-cors/src/core/index.ts',
    '^nestjs-route-cors/testing$': '<rootDir>/packages/nestjs-route-cors/src/testing.ts',
    '^nestjs-route-cors/openapi$': '<rootDir>/packages/nestjs-route-cors/src/openapi.ts',
    '^nestjs-route-cors/redis$': '<rootDir>/packages/nestjs-route-cors/src/redis.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

/** One project per HTTP platform, running the suites `testRegex` matches. */
export function platforms(testRegex) {
  return ['express', 'fastify'].map((name) => ({
    ...shared,
    displayName: name,
    testRegex,
    globals: { HTTP_ADAPTER: name },
  }));
}

/**
 * Options of every run: suites that run `dist/` (the service as a process,
 * the CLI) need it built from the current sources. No `forceExit`: a run ends
 * by itself, because a suite that leaves a server listening or a child
 * process running fails, naming it, and what it left is closed
 * (`shared.testEnvironment`).
 */
export const runOptions = { globalSetup: '<rootDir>/scripts/build-if-stale.js' };

export default {
  ...runOptions,
  projects: [
    { ...shared, displayName: 'unit', testRegex: '(src/.*|test/[^/]*)\\.spec\\.ts$' },
    ...platforms('test/.*\\.e2e-spec\\.ts$'),
    ...packageProjects('nestjs-route-cors:'),
  ],
};
