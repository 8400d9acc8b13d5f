// @ts-check
/**
 * `npm run demo`: the API on :5000 (built if needed) and the demo page on an
 * allowed origin (:1234) and on one that is not allowed (:4321).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import buildIfStale from '../scripts/build-if-stale.js';
import { servePage } from './static-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ALLOWED_PORT = 1234;
const BLOCKED_PORT = 4321;

// Built when the sources are newer than dist/, as npm start does: the demo runs what the source says.
buildIfStale();

const api = spawn(process.execPath, [MAIN], { cwd: ROOT, stdio: ['inherit', 'pipe', 'inherit'], env: { PORT: '5000', ...process.env } });
const pages = await Promise.all([servePage(ALLOWED_PORT), servePage(BLOCKED_PORT)]);

// The banner comes last, once the API listens, so that its start-up log does not scroll it away.
await new Promise((resolve) => {
  api.stdout?.on('data', (/** @type {Buffer} */ chunk) => {
    process.stdout.write(chunk);
    if (chunk.toString().includes('Listening on')) resolve(undefined);
  });
  api.once('exit', resolve);
});

console.log(`
Demo running:
  http://localhost:${ALLOWED_PORT}  an allowed origin: the page reads the greeting
  http://localhost:${BLOCKED_PORT}  an origin the API does not allow: the browser blocks the answer
Press Ctrl+C to stop.`);

function stop() {
  for (const page of pages) page.close();
  api.kill('SIGTERM');
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
api.once('exit', (code) => {
  for (const page of pages) page.close();
  process.exitCode = code ?? 0;
});
