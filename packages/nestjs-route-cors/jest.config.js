/**
 * The package's own tests: unit specs beside the sources (`src/**\/*.spec.ts`),
 * run once, and the contract suites with their fixture apps
 * (`test/**\/*.e2e-spec.ts`), run once per HTTP platform, the `HTTP_ADAPTER`
 * global telling the harness which (test/support/fixture-app.ts).
 *
 * Nest 12 ships ES modules only, so jest runs in native ESM mode
 * (`node --experimental-vm-modules`) and ts-jest emits ESM; type-checking is
 * `npm run typecheck`'s job. The suites import the package by its name, as
 * an application does, mapped to the sources, so a change is tested without
 * a build. The root configuration runs these projects too (`packageProjects`).
 * @type {import('jest').Config}
 */
const ROOT = import.meta.dirname;

/** Every project of the package, named `${prefix}unit`, `${prefix}express` and `${prefix}fastify`. */
export function packageProjects(prefix = '') {
  const shared = {
    rootDir: ROOT,
    // Node's, failing a suite that leaves a server listening or a child process running (and closing them).
    testEnvironment: '<rootDir>/../../test/support/open-handles.environment.js',
    extensionsToTreatAsEsm: ['.ts'],
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper: {
      '^nestjs-route-cors$': '<rootDir>/src/index.ts',
      '^nestjs-route-cors/core$': '<rootDir>/src/core/index.ts',
      '^nestjs-route-cors/(testing|openapi|redis)$': '<rootDir>/src/$1.ts',
      '^(\\.{1,2}/.*)\\.js$': '$1',
    },
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: `${ROOT}/tsconfig.json` }],
    },
  };
  return [
    { ...shared, displayName: `${prefix}unit`, testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    ...['express', 'fastify'].map((name) => ({
      ...shared,
      displayName: `${prefix}${name}`,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globals: { HTTP_ADAPTER: name },
    })),
  ];
}

export default { projects: packageProjects() };
