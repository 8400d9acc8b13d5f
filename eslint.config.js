// @ts-check
/**
 * Lint as a Nest project does (the starter's typescript-eslint, type-checked,
 * with Prettier owning the layout), over the whole repository: the service,
 * the package, their tests, the benchmarks and the scripts.
 */
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/**', 'dist-bench/**', 'coverage/**', 'bench/nest11/build/**', '**/node_modules/**'],
  },
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['**/*.spec.ts', '**/*-spec.ts', '**/test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
    rules: {
      // Jest's asymmetric matchers (expect.objectContaining() and the like) are typed `any` by @types/jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // Async functions without await stand for an application's asynchronous predicates and resolvers.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Scripts run by the browser: the demo page's and a fixture SPA's.
    files: ['demo/**/*.js', 'packages/nestjs-route-cors/test/fixtures/spa/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Plain JavaScript outside the TypeScript projects: linted without types.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
