// @ts-check
/**
 * `npm run demo`: the API (built first if a source changed) and the demo page
 * on two origins, one the API allows and one it does not. The ports, as the
 * README documents them (0: a free port):
 *   PORT               the API's, as for `npm start` (default 5000; also read from .env)
 *   DEMO_ALLOWED_PORT  the page on an allowed origin (default 1234, the article's)
 *   DEMO_BLOCKED_PORT  the page on an origin the API does not allow (default 4321)
 * The pages are given the address the API listens on, so they call the API
 * this demo started. Unless CORS_ALLOWED_ORIGINS is set (in the environment
 * or in .env), the API allows exactly the allowed page's origin. Ctrl+C or
 * SIGTERM stops the API gracefully, then the pages.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { buildIfStale } from '../scripts/build-if-stale.js';
import { originOf, servePage, stopServing } from './static-server.js';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');
/** The service's own start-up line, which carries the URL it listens on. */
const LISTENING = /Listening on (http:\/\/\S+)/;

/**
 * Stops the demo with one line saying what to change, before anything started.
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(message);
  process.exit(1);
}

/**
 * A page's port from its setting, as the service reads PORT.
 * @param {string} name
 * @param {number} fallback
 */
function pagePort(name, fallback) {
  const value = process.env[name] ?? String(fallback);
  if (!/^\d+$/.test(value) || Number(value) > 65535) fail(`${name} "${value}" must be a whole number from 0 to 65535`);
  return Number(value);
}

/**
 * The line for a page's port that cannot be had, naming its setting, as the service names PORT.
 * @param {string} name
 * @param {number} port
 * @param {unknown} error
 */
function pagePortProblem(name, port, error) {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE')
    return `${name} ${port} is already in use; set ${name} to a free port, e.g. ${name}=${port === 65535 ? port - 1 : port + 1} npm run demo`;
  if (code === 'EACCES')
    return `${name} ${port} needs privileges this process does not have; set ${name} to 1024 or above`;
  throw error;
}

/** CORS_ALLOWED_ORIGINS as the API will read it (a real variable wins over .env), or undefined when neither sets it. */
function configuredAllowlist() {
  const dotenv = join(ROOT, '.env');
  return (
    process.env.CORS_ALLOWED_ORIGINS ??
    (existsSync(dotenv) ? parseEnv(readFileSync(dotenv, 'utf8')).CORS_ALLOWED_ORIGINS : undefined)
  );
}

const ports = [
  ['DEMO_ALLOWED_PORT', pagePort('DEMO_ALLOWED_PORT', 1234)],
  ['DEMO_BLOCKED_PORT', pagePort('DEMO_BLOCKED_PORT', 4321)],
];

try {
  buildIfStale();
} catch (error) {
  // The compiler's errors are above; no stack trace after them.
  fail(error instanceof Error ? error.message : String(error));
}

/** @type {import('./static-server.js').DemoSettings} */
const settings = { api: 'http://localhost:5000', allowedOrigin: 'http://localhost:1234' };
/** @type {import('node:http').Server[]} */
const pages = [];
for (const [name, port] of /** @type {Array<[string, number]>} */ (ports)) {
  try {
    pages.push(await servePage(port, () => settings));
  } catch (error) {
    pages.forEach(stopServing);
    fail(pagePortProblem(name, port, error));
  }
}
const [allowedOrigin = '', blockedOrigin = ''] = pages.map(originOf);
settings.allowedOrigin = allowedOrigin;

const allowlist = configuredAllowlist();
// Its own process group: Ctrl+C reaches the demo alone, which passes the signal on once (else the API would get two).
const api = spawn(process.execPath, [MAIN], {
  cwd: ROOT,
  detached: true,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: allowlist === undefined ? { ...process.env, CORS_ALLOWED_ORIGINS: allowedOrigin } : process.env,
});
// Whatever ends the demo ends its API.
process.once('exit', () => api.exitCode === null && api.signalCode === null && api.kill('SIGTERM'));

let stopping = false;
/** @param {NodeJS.Signals} signal */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  api.kill(signal);
}
// `on`, not `once`: npm passes a terminal's Ctrl+C on as well, and a second signal must not kill the demo abruptly.
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// Listeners set before the API can exit, so that an API that stops at once (a port in use) is seen.
let listening = false;
const apiExited = new Promise((resolve) => api.once('exit', resolve));
const apiUrl = new Promise((resolve) => {
  let output = '';
  api.stdout?.on('data', (/** @type {Buffer} */ chunk) => {
    process.stdout.write(chunk);
    if (listening) return;
    output += chunk.toString();
    const url = LISTENING.exec(output)?.[1];
    if (url !== undefined) {
      listening = true;
      resolve(new URL(url).origin);
    }
  });
});

const started = await Promise.race([apiUrl, apiExited.then(() => undefined)]);
if (typeof started === 'string') {
  settings.api = started;
  const unlisted =
    allowlist !== undefined &&
    !allowlist
      .split(',')
      .map((entry) => entry.trim())
      .includes(allowedOrigin);
  // The banner comes last, once the API listens, so that its start-up log does not scroll it away.
  console.log(`
Demo running, the API on ${started}:
  ${allowedOrigin}  an allowed origin: the page reads the greeting
  ${blockedOrigin}  an origin the API does not allow: the browser blocks the answer${unlisted ? `\n  Note: CORS_ALLOWED_ORIGINS does not list ${allowedOrigin}, so that page is blocked too.` : ''}
Press Ctrl+C to stop.`);
} else if (!stopping) {
  console.error(
    'The demo stops: its API did not start (the reason is above). PORT, DEMO_ALLOWED_PORT and DEMO_BLOCKED_PORT set its ports, e.g. PORT=5001 npm run demo.',
  );
}

await apiExited;
pages.forEach(stopServing);
process.exitCode = api.exitCode ?? 1;
