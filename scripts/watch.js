// @ts-check
/**
 * `npm run start:dev`: the service, rebuilt and restarted whenever its sources
 * or the package's change. Two TypeScript compilers watch (the package's ESM
 * build, which the service imports, and the service); once both have compiled,
 * `node --watch dist/main.js` runs the service and restarts it when a file it
 * loaded changes, the package's files included. Stopping this process (Ctrl+C,
 * or a signal to its PID) stops all three. Plain JavaScript, so that it needs
 * no build of its own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const PROJECTS = ['packages/nestjs-route-cors/tsconfig.build.json', 'tsconfig.build.json'];
/** What `tsc --watch` prints at the end of every compilation, the first one included. */
const COMPILED = /Found \d+ errors?\. Watching for file changes\./;

/** @type {import('node:child_process').ChildProcess[]} */
const children = [];
let stopping = false;

/** @param {number} code */
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  process.exitCode = code;
}

/**
 * @param {string[]} args
 * @param {(output: string) => void} [onOutput]
 */
function run(args, onOutput) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', onOutput ? 'pipe' : 'inherit', 'inherit'],
  });
  child.stdout?.on('data', (chunk) => {
    process.stdout.write(chunk);
    onOutput?.(String(chunk));
  });
  // A child that ends on its own (a compiler that cannot start, a service that cannot) ends the watch.
  child.once('exit', (code) => stop(code ?? 1));
  children.push(child);
  return child;
}

let compiling = PROJECTS.length;
for (const project of PROJECTS) {
  let first = true;
  run([TSC, '-p', project, '--watch', '--preserveWatchOutput'], (output) => {
    if (!first || !COMPILED.test(output)) return;
    first = false;
    compiling -= 1;
    if (compiling === 0 && !stopping) run(['--watch', join('dist', 'main.js')]);
  });
}

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.once(signal, () => stop(0));
