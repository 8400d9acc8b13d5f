// @ts-check
/**
 * Builds the service and the package when `dist/` is missing or older than
 * any source, so that what runs is what the source says: Jest's global
 * set-up for every configuration (the suites that run `dist/`: the service
 * as a process, the CLI commands, the browser, load and deployment tests),
 * and `npm run demo`. Plain JavaScript: Jest loads it before its TypeScript
 * transform is set up.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
/** Every entry point the tests run from dist/. */
const BUILT = [
  ...['main.js', 'cli/cors-explain.js', 'cli/cors-routes.js', 'cli/cors-audit.js'].map((file) => join(ROOT, 'dist', file)),
  join(ROOT, 'packages', 'nestjs-route-cors', 'dist', 'bin', 'nestjs-route-cors.js'),
];
/** What the build reads: the service's and the package's sources and their settings. */
const SOURCES = ['src', 'packages/nestjs-route-cors/src', 'tsconfig.json', 'tsconfig.build.json'].map((path) => join(ROOT, path));

/**
 * @param {string} path
 * @returns {number}
 */
function newestChange(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((entry) => newestChange(join(path, entry))));
}

function isCurrent() {
  if (!BUILT.every((file) => existsSync(file))) return false;
  return Math.min(...BUILT.map((file) => statSync(file).mtimeMs)) > Math.max(...SOURCES.map(newestChange));
}

export default function buildIfStale() {
  if (!isCurrent()) {
    execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  }
}
