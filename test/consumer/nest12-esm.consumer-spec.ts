/**
 * Nest 12 (latest 12.x) as `nest new` makes an app: ES modules, TypeScript 6,
 * Vitest (the starter's `vitest.config.e2e.ts`), on Express and on Fastify,
 * and Jest in ESM mode (as this repository runs it) on Express, in one app
 * folder. The quick start also compiles under `strict` with the libraries'
 * declarations checked, with every public entry point's types in use.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compile,
  createApp,
  describeEachPlatform,
  expectCorsSpec,
  expectRunnerVerdicts,
  FASTIFY_MAIN,
  installedVersion,
  runTests,
} from './consumer-app.js';

/** The Nest 12 starter's package.json (@nestjs/schematics 12, ts-esm), without its CLI, lint and format tools; Jest for the ESM-mode row. */
const PACKAGE_JSON = {
  name: 'nest12-consumer',
  version: '0.0.1',
  private: true,
  license: 'UNLICENSED',
  type: 'module',
  scripts: { build: 'tsc -p tsconfig.build.json', 'test:e2e': 'vitest run --config ./vitest.config.e2e.ts' },
  dependencies: {
    '@nestjs/common': '^12.0.1',
    '@nestjs/core': '^12.0.1',
    '@nestjs/platform-express': '^12.0.1',
    '@nestjs/platform-fastify': '^12.0.1',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  },
  devDependencies: {
    '@nestjs/testing': '^12.0.1',
    '@types/express': '^5.0.0',
    '@types/node': '^24.0.0',
    '@types/supertest': '^7.0.0',
    jest: '^30.0.0',
    supertest: '^7.0.0',
    'ts-jest': '^29.2.5',
    typescript: '^6.0.2',
    vite: '^8.0.0',
    vitest: '^4.1.2',
  },
};

/** The starter's compiler options (`nest new`, strict answered no). */
const COMPILER_OPTIONS = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  resolvePackageJsonExports: true,
  esModuleInterop: true,
  isolatedModules: true,
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2023',
  sourceMap: true,
  outDir: './dist',
  rootDir: '.',
  incremental: true,
  skipLibCheck: true,
  strict: false,
  strictPropertyInitialization: false,
  types: ['vitest/globals', 'node'],
};

/** Every public entry point's types, used the way a test suite uses them. */
const TYPES_CHECK = `
import type { CorsModuleOptions, CorsPolicyOptions, CorsRejectionEvent } from 'nestjs-route-cors';
import { expectCors, type CorsAnswer } from 'nestjs-route-cors/testing';
import { compilePolicy, decideCors } from 'nestjs-route-cors/core';

export const options: CorsModuleOptions = { policies: {}, onReject: (event: CorsRejectionEvent) => void event.reason };
export const policy: CorsPolicyOptions = { origins: ['https://a.example'] };
export const decision = decideCors(compilePolicy('p', policy), { method: 'GET', origin: undefined, selfOrigin: undefined, requestMethod: undefined, requestHeaders: undefined });
export type Answer = CorsAnswer;
export const helper = expectCors;
`;

const STARTER_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: COMPILER_OPTIONS }),
  'tsconfig.build.json': JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { rootDir: './src' },
    include: ['src'],
    exclude: ['node_modules', 'test', 'dist', '**/*spec.ts'],
  }),
  // Checked, not built: the quick start and TYPES_CHECK under strict, every library's declarations included.
  'tsconfig.strict.json': JSON.stringify({
    extends: './tsconfig.build.json',
    compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, incremental: false },
  }),
  'vitest.config.e2e.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    include: ['**/*.e2e-spec.ts'],
  },
});
`,
  // Jest in ESM mode, as docs/testing.md sets it up.
  'jest.config.js': `export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\\\.{1,2}/.*)\\\\.js$': '$1' },
  transform: { '^.+\\\\.ts$': ['ts-jest', { useESM: true }] },
  testRegex: '.*\\\\.e2e-spec\\\\.ts$',
};
`,
  'src/types-check.ts': TYPES_CHECK,
};

describe('a Nest 12 ES module app (nest new) with Vitest, and with Jest in ESM mode', () => {
  const work = mkdtempSync(join(tmpdir(), 'consumer-nest12-'));

  beforeAll(() => {
    createApp(work, PACKAGE_JSON, {
      ...STARTER_FILES,
      'src/main-fastify.ts': FASTIFY_MAIN,
      'test/cors.express.e2e-spec.ts': expectCorsSpec('express'),
      'test/cors.fastify.e2e-spec.ts': expectCorsSpec('fastify'),
    });
    compile(work, 'tsconfig.build.json');
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs the latest Nest 12 and TypeScript 6 beside the package, without a peer conflict', () => {
    expect(installedVersion(work, '@nestjs/core')).toMatch(/^12\./);
    expect(installedVersion(work, '@nestjs/platform-fastify')).toMatch(/^12\./);
    expect(installedVersion(work, 'typescript')).toMatch(/^6\./);
  });

  it("compiles the quick start to ES modules that import the package's ES module build", () => {
    expect(readFileSync(join(work, 'dist', 'app.module.js'), 'utf8')).toContain("from 'nestjs-route-cors'");
  });

  it("compiles the quick start and every entry point's types under strict, the libraries' declarations checked", () => {
    compile(work, 'tsconfig.strict.json');
  }, 120_000);

  describeEachPlatform(work, 'Vitest', (platform) => {
    const report = `vitest-${platform}.json`;
    return runTests(
      work,
      process.execPath,
      [
        'node_modules/vitest/vitest.mjs',
        'run',
        '--config',
        './vitest.config.e2e.ts',
        '--reporter=json',
        `--outputFile=${report}`,
        `cors.${platform}`,
      ],
      report,
    );
  });

  it("runs the app's Jest in ESM mode on expectCors (Express): the passing test passes, the failing one fails with the reason", () => {
    const report = 'jest-esm-express.json';
    const args = [
      '--experimental-vm-modules',
      'node_modules/jest/bin/jest.js',
      '--json',
      `--outputFile=${report}`,
      'cors.express',
    ];
    expectRunnerVerdicts(runTests(work, process.execPath, args, report));
  }, 120_000);
});
