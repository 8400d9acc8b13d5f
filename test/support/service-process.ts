/**
 * Runs the built service (`node dist/main.js`) as a child process, as
 * production does. Jest's global set-up (`scripts/build-if-stale.js`) has built it
 * from the current sources.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { HTTP_ADAPTER } from '../../packages/nestjs-route-cors/test/support/platform.js';

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
  const child = spawn(process.execPath, [MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', HTTP_ADAPTER, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
