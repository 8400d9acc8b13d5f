/**
 * Nest 12 ships ES modules only, so jest runs in native ESM mode
 * (`node --experimental-vm-modules`) and ts-jest emits ESM.
 * Type-checking is `npm run typecheck`'s job; ts-jest only transpiles.
 *
 * Unit tests run once; the e2e suites run once per HTTP platform, the
 * `HTTP_ADAPTER` global telling the harness which (test/app.harness.ts).
 * `npm test -- --selectProjects fastify` runs one platform.
 * @type {import('jest').Config}
 */
const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The tests run the package from its source, so that a change is tested without a build.
  moduleNameMapper: {
    '^nestjs-route-cors$': '<rootDir>/packages/nestjs-route-cors/src/index.ts',
    '^nestjs-route-cors/core$': '<rootDir>/packages/nestjs-route-cors/src/core/index.ts',
    '^nestjs-route-cors/testing$': '<rootDir>/packages/nestjs-route-cors/src/testing.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
};

const E2E = 'test/.*\\.e2e-spec\\.ts$';

export default {
  projects: [
    { ...shared, displayName: 'unit', testRegex: 'src/.*\\.spec\\.ts$' },
    { ...shared, displayName: 'express', testRegex: E2E, globals: { HTTP_ADAPTER: 'express' } },
    { ...shared, displayName: 'fastify', testRegex: E2E, globals: { HTTP_ADAPTER: 'fastify' } },
  ],
};
