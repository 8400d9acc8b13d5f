// @ts-check
/**
 * Builds the service and the package (`npm run build`) only when a build
 * input changed since the last build, so that what runs is what the source
 * says and a command that only runs `dist/` answers at once: `npm start`,
 * `npm run cors:explain` and `cors:routes` (`node scripts/build-if-stale.js`),
 * `npm run demo`, and Jest's global set-up for every configuration (the
 * suites that run `dist/`: the service as a process, the CLI commands, the
 * browser, load and deployment tests). Plain JavaScript: Jest loads it before
 * its TypeScript transform is set up.
 *
 * Stale, as make decides it, by file times: a compiled source without its
 * output, or a build input newer than the oldest output. Unit specs are not
 * inputs (the build does not compile them), so editing one costs no build.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..');
const PACKAGE = join('packages', 'nestjs-route-cors');

/**
 * Each project's compiled sources and where `npm run build` writes them: the
 * package's twice (its ES module and CommonJS builds), the service's once.
 */
const PROJECTS = [
  { sources: join(PACKAGE, 'src'), outputs: [join(PACKAGE, 'dist'), join(PACKAGE, 'dist', 'cjs')] },
  { sources: 'src', outputs: ['dist'] },
];
/** The compiler settings every output depends on. */
const SETTINGS = [
  'tsconfig.json',
  'tsconfig.build.json',
  ...['tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json'].map((file) => join(PACKAGE, file)),
];

/**
 * The files under `folder` that the build compiles, relative to it.
 * @param {string} folder
 * @returns {string[]}
 */
function compiledSources(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts'))
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)));
}

/**
 * The time of `file`'s last change, or undefined when it does not exist.
 * @param {string} file
 * @returns {number | undefined}
 */
function changed(file) {
  return statSync(file, { throwIfNoEntry: false })?.mtimeMs;
}

/**
 * Whether every output exists and is newer than every input.
 * @param {string} root
 */
function isCurrent(root) {
  const inputs = SETTINGS.map((file) => join(root, file));
  const outputs = [];
  for (const project of PROJECTS) {
    const folder = join(root, project.sources);
    if (!existsSync(folder)) continue;
    for (const source of compiledSources(folder)) {
      inputs.push(join(folder, source));
      for (const output of project.outputs) outputs.push(join(root, output, source.replace(/\.ts$/, '.js')));
    }
  }
  const outputTimes = outputs.map(changed);
  if (outputTimes.some((time) => time === undefined)) return false;
  const newestInput = Math.max(...inputs.map((file) => changed(file) ?? 0));
  return newestInput < Math.min(.../** @type {number[]} */ (outputTimes));
}

/**
 * `npm run build`, quiet unless it fails; then the compiler's errors are shown.
 * @param {string} root
 */
function runBuild(root) {
  process.stderr.write('Building the package and the service (a source changed since the last build)...\n');
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const { stdout = '', stderr = '' } = /** @type {{ stdout?: Buffer | string, stderr?: Buffer | string }} */ (error);
    process.stderr.write(`${stdout}${stderr}`);
    throw new Error('npm run build failed (its output is above)', { cause: error });
  }
}

/**
 * Builds when a build input in `root` changed since the last build; says whether it built.
 * @param {string} [root]
 * @param {(root: string) => void} [build]
 * @returns {'built' | 'current'}
 */
export function buildIfStale(root = ROOT, build = runBuild) {
  if (isCurrent(root)) return 'current';
  build(root);
  return 'built';
}

/** Jest's global set-up, which Jest calls with arguments of its own. */
export default function globalSetup() {
  buildIfStale();
}

// `node scripts/build-if-stale.js`, as the npm scripts that run dist/ call it.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildIfStale();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
