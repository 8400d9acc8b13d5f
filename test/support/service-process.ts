/**
 * Runs the built service (`node dist/main.js`) as a child process, as
 * production does. Jest's global set-up (`scripts/build-if-stale.js`) has built it
 * from the current sources.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { HTTP_ADAPTER } from './platform.js';

export const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'main.js');

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the service printed so far (stdout and stderr). */
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Runs `node dist/main.js` with exactly `env` (and PATH, and the platform
 * under test unless `env` names one), in `cwd`, where it reads a `.env` file
 * if there is one.
 */
export function runService(env: Record<string, string>, cwd: string = ROOT): ServiceProcess {
  return runNodeScript(MAIN, env, cwd);
}

/** Runs `node script` as `runService` runs the service: with exactly `env`, PATH and the platform under test. */
export function runNodeScript(script: string, env: Record<string, string>, cwd: string = ROOT): ServiceProcess {
  const child = spawn(process.execPath, [script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HTTP_ADAPTER, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watched(child);
}

/**
 * Runs an npm script of the repository (`npm run demo`) as a user does, with `env`, the platform under test, and
 * only what npm itself needs of the test's environment (PATH, HOME), so that no setting of the shell leaks in. In a
 * process group of its own, which `endGroup` ends whatever the script left running.
 */
export function runNpmScript(script: string, env: Record<string, string>): ServiceProcess {
  const inherited = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? ROOT };
  const child = spawn('npm', ['run', script], {
    cwd: ROOT,
    env: { ...inherited, NO_COLOR: '1', HTTP_ADAPTER, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  return watched(child);
}

/** Kills every process still left in the group of a `runNpmScript` process (none when the script stopped cleanly). */
export function endGroup(started: ServiceProcess): void {
  try {
    if (started.child.pid !== undefined) process.kill(-started.child.pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** The process with its output collected and its exit awaited. */
function watched(child: ChildProcess): ServiceProcess {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits for the start-up line and returns the port the service listens on. */
export async function listeningPort(service: ServiceProcess): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const port = /Listening on http:\/\/localhost:(\d+)/.exec(service.output())?.[1];
    if (port) return Number(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`service did not start:\n${service.output()}`);
}
