/**
 * The tarball as users get it (`npm run test:consumer`): what it holds, and
 * which build each kind of app loads. The apps that install it are the
 * matrix's: nest11-commonjs, nest11-samples and nest12-esm.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_DIR, packedTarball, quickStartFiles } from './consumer-app.js';

type Conditions = Readonly<Record<'import' | 'require', { readonly types: string; readonly default: string }>>;

describe('the nestjs-route-cors tarball', () => {
  const files = execFileSync('tar', ['-tzf', packedTarball()], { encoding: 'utf8' }).trim().split('\n');

  it('packs only what users need: both builds, README and the docs it links to, CHANGELOG, LICENSE', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/docs/troubleshooting.md',
        'package/CHANGELOG.md',
        'package/LICENSE',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/index.js.map',
        'package/dist/testing.js',
        'package/dist/redis.js',
        'package/dist/cjs/index.js',
        'package/dist/cjs/testing.js',
        'package/dist/cjs/redis.js',
        'package/dist/cjs/package.json',
      ]),
    );
    const unexpected = files.filter(
      (file) =>
        !/^package\/(package\.json|README\.md|docs\/[a-z-]+\.md|CHANGELOG\.md|LICENSE|dist\/cjs\/package\.json|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map))$/.test(
          file,
        ),
    );
    expect(unexpected).toEqual([]);
    expect(files.filter((file) => /\.(spec|test)\.|fixture|\/bench\//.test(file))).toEqual([]);
  });

  it('has the same modules in both builds, the CommonJS one marked as such', () => {
    const esm = files
      .filter((file) => /^package\/dist\/(?!cjs\/).+\.js$/.test(file))
      .map((file) => file.replace('package/dist/', ''));
    const cjs = files
      .filter((file) => /^package\/dist\/cjs\/.+\.js$/.test(file))
      .map((file) => file.replace('package/dist/cjs/', ''));
    expect(cjs.sort()).toEqual(esm.sort());
    expect(JSON.parse(readFileSync(join(PACKAGE_DIR, 'dist', 'cjs', 'package.json'), 'utf8'))).toEqual({
      type: 'commonjs',
    });
  });

  it('sends import to the ES module build and require to the CommonJS one, with types for each, for every entry point', () => {
    const { exports } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      exports: Record<string, Conditions | string>;
    };
    for (const [entry, target] of Object.entries(exports)) {
      if (entry === './package.json') continue;
      const conditions = target as Conditions;
      const path = entry === '.' ? 'index' : entry === './core' ? 'core/index' : entry.slice(2);
      expect(conditions).toEqual({
        import: { types: `./dist/${path}.d.ts`, default: `./dist/${path}.js` },
        require: { types: `./dist/cjs/${path}.d.ts`, default: `./dist/cjs/${path}.js` },
      });
    }
  });

  it("gives TypeScript's node10 resolution (`module: commonjs`), which ignores exports, every subpath's CommonJS types", () => {
    const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
      exports: Record<string, Conditions | string>;
      types: string;
      typesVersions: Record<string, Record<string, readonly string[]>>;
    };
    const requireTypes = (entry: string): string => (manifest.exports[entry] as Conditions).require.types;
    const subpaths = Object.keys(manifest.exports).filter((entry) => entry !== '.' && entry !== './package.json');
    expect(manifest.types).toBe(requireTypes('.'));
    expect(manifest.typesVersions).toEqual({
      '*': Object.fromEntries(subpaths.map((entry) => [entry.slice(2), [requireTypes(entry)]])),
    });
    for (const entry of subpaths) expect(files).toContain(`package/${requireTypes(entry).slice(2)}`);
  });

  it('has a quick start of three files', () => {
    expect([...quickStartFiles().keys()].sort()).toEqual([
      'src/app.module.ts',
      'src/main.ts',
      'src/messages.controller.ts',
    ]);
  });
});
