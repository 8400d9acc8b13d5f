/**
 * Issue 36: the commands that run `dist/` (npm start, cors:explain, cors:routes, the demo, Jest's set-up) build only
 * when a build input changed. Checked on a small tree laid out like this repository, with a stand-in build that
 * writes what `npm run build` writes, and file times set by the test rather than read from a clock.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { buildIfStale } from '../scripts/build-if-stale.js';

const PACKAGE = 'packages/nestjs-route-cors';
const SOURCES = [
  'src/main.ts',
  'src/cli/cors-explain.ts',
  'src/cli/cors-routes.ts',
  'src/greet/greet.service.ts',
  'src/greet/greet.service.spec.ts',
  'src/greet/deep/er/nested.ts',
  `${PACKAGE}/src/index.ts`,
  `${PACKAGE}/src/core/policy.ts`,
  `${PACKAGE}/src/core/policy.spec.ts`,
  'tsconfig.json',
  'tsconfig.build.json',
  `${PACKAGE}/tsconfig.json`,
  `${PACKAGE}/tsconfig.build.json`,
  `${PACKAGE}/tsconfig.cjs.json`,
];

let root: string;
let clock: number;
let builds: number;

/**
 * Writes `path` (relative to the tree) at a time later than anything written before; a new file also changes its
 * folder's time, and new folders their parent's, as the file system does.
 */
function write(path: string): void {
  const file = join(root, path);
  clock += 10;
  const created = existsSync(file) ? [] : [file];
  for (let folder = dirname(file); !existsSync(folder); folder = dirname(folder)) created.push(folder);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `// ${path}\n`);
  for (const entry of created) {
    utimesSync(entry, clock, clock);
    utimesSync(dirname(entry), clock, clock);
  }
  utimesSync(file, clock, clock);
}

function filesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** What `npm run build` writes: each project's dist/ afresh, one .js per compiled source (specs excluded). */
function build(): void {
  builds += 1;
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  rmSync(join(root, PACKAGE, 'dist'), { recursive: true, force: true });
  const compiled = (folder: string) =>
    filesUnder(folder).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
  for (const source of compiled(`${PACKAGE}/src`)) {
    const output = source.replace(`${PACKAGE}/src/`, '').replace(/\.ts$/, '.js');
    write(`${PACKAGE}/dist/${output}`);
    write(`${PACKAGE}/dist/cjs/${output}`);
  }
  for (const source of compiled('src')) write(source.replace(/^src\//, 'dist/').replace(/\.ts$/, '.js'));
}

const check = () => buildIfStale(root, build);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
  clock = 1_700_000_000;
  builds = 0;
  for (const source of SOURCES) write(source);
  build();
  builds = 0;
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('building only when a build input changed', () => {
  it('builds a checkout that was never built', () => {
    rmSync(join(root, 'dist'), { recursive: true });
    rmSync(join(root, PACKAGE, 'dist'), { recursive: true });
    expect(check()).toBe('built');
    expect(builds).toBe(1);
  });

  it('skips the build when nothing changed since the last one', () => {
    expect(check()).toBe('current');
    expect(check()).toBe('current');
    expect(builds).toBe(0);
  });

  it.each([
    ['a source of the service', 'src/greet/greet.service.ts'],
    ['a source deep in nested folders', 'src/greet/deep/er/nested.ts'],
    ["a source of the package's", `${PACKAGE}/src/core/policy.ts`],
    ["the service's compiler settings", 'tsconfig.build.json'],
    ["the package's compiler settings", `${PACKAGE}/tsconfig.cjs.json`],
  ])('rebuilds once after an edit to %s', (_what, path) => {
    write(path);
    expect(check()).toBe('built');
    expect(check()).toBe('current');
    expect(builds).toBe(1);
  });

  it("rebuilds when the package's dist/ is gone, which the service imports", () => {
    rmSync(join(root, PACKAGE, 'dist'), { recursive: true });
    expect(check()).toBe('built');
  });

  it('rebuilds when a source has no output yet: a renamed file keeps the time it had', () => {
    renameSync(join(root, 'src/greet/deep/er/nested.ts'), join(root, 'src/greet/deep/er/renamed.ts'));
    // The rename changes the folder's time, as the file system does.
    clock += 10;
    utimesSync(join(root, 'src/greet/deep/er'), clock, clock);
    expect(check()).toBe('built');
  });

  it('does not rebuild for an edited unit spec, which the build does not compile', () => {
    write('src/greet/greet.service.spec.ts');
    write(`${PACKAGE}/src/core/policy.spec.ts`);
    expect(check()).toBe('current');
  });
});
