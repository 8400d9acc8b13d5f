/**
 * Nest 12 ships ES modules only, so jest runs in native ESM mode
 * (`node --experimental-vm-modules`) and ts-jest emits ESM.
 * Type-checking is `npm run typecheck`'s job; ts-jest only transpiles.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: ['src/.*\\.spec\\.ts$', 'test/.*\\.e2e-spec\\.ts$'],
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
