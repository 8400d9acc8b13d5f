// @ts-check
/**
 * `npm run demo`: the API on :5000 (built if needed) and the demo page on an
 * allowed origin (:1234) and on one that is not allowed (:4321).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { servePage } from './static-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const ALLOWED_PORT = 1234;
const BLOCKED_PORT = 4321;

if (!existsSync(MAIN)) {
  console.log('Building the API (npm run build)...');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const api = spawn(process.execPath, [MAIN], { cwd: ROOT, stdio: 'inherit', env: { PORT: '5000', ...process.env } });
const pages = await Promise.all([servePage(ALLOWED_PORT), servePage(BLOCKED_PORT)]);

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
