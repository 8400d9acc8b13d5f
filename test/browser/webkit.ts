/**
 * Debian's WebKitGTK driven by its WebKitWebDriver (package webkit2gtk-driver)
 * over plain W3C WebDriver HTTP calls. The browser it starts is ours,
 * `webkit-console-browser.py`, on the same WebKitGTK library as MiniBrowser:
 * MiniBrowser's automation pages are ephemeral, and WebKit prints no console
 * for an ephemeral page. A WebKitGTK browser has no headless mode, so the
 * driver runs under `xvfb-run`. Every page is its own WebDriver session: a new
 * browser process with a new profile, so an empty preflight cache and cookie jar.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserEngine, type BrowserPage, type EngineDescription, VIEWPORT } from './engine.js';

export const WEBKIT_DRIVER_PATH = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
const XVFB_RUN = '/usr/bin/xvfb-run';
/**
 * The browser the driver starts instead of MiniBrowser: MiniBrowser --automation opens every page in an ephemeral
 * session, and WebCore writes no console message of an ephemeral page to stdout/stderr, so the CORS errors would be
 * unreadable. It runs on Debian's python3 with PyGObject and WebKitGTK's GObject bindings (the typelib).
 */
const CONSOLE_BROWSER = join(import.meta.dirname, 'webkit-console-browser.py');
const PYTHON = '/usr/bin/python3';
const WEBKIT_TYPELIB = '/usr/lib/x86_64-linux-gnu/girepository-1.0/WebKit2-4.1.typelib';
/** A console line as WebKit's web process prints it: `[url:line:column: ]CONSOLE <source> <level> <message>`. */
const CONSOLE_LINE = /(?:^|: )CONSOLE /;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** One WebDriver command; throws the driver's own error message. */
async function command<T>(
  url: string,
  method: 'GET' | 'POST' | 'DELETE',
  body?: unknown,
  timeout = 30_000,
): Promise<T> {
  const response = await fetch(url, {
    method,
    // A hung driver fails the test that asked, rather than the whole run at its deadline.
    signal: AbortSignal.timeout(timeout),
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as { value: T & { error?: string; message?: string } };
  if (!response.ok)
    throw new Error(
      `WebKitWebDriver ${method} ${new URL(url).pathname}: ${answer.value.error}: ${answer.value.message}`,
    );
  return answer.value;
}

async function waitForDriver(base: string, driver: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}:\n${output()}`);
    try {
      if ((await command<{ ready: boolean }>(`${base}/status`, 'GET')).ready) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`WebKitWebDriver did not start:\n${output()}`);
}

async function launchWebKit(): Promise<BrowserEngine> {
  const missing =
    [WEBKIT_DRIVER_PATH, XVFB_RUN, PYTHON, WEBKIT_TYPELIB].find((path) => !existsSync(path)) ??
    (spawnSync(PYTHON, ['-c', 'import gi']).status === 0 ? undefined : `${PYTHON}'s module gi`);
  if (missing !== undefined) {
    throw new Error(
      `${missing} not found. The WebKit browser tests need Debian's WebKitWebDriver, Xvfb, and python3 with WebKitGTK's ` +
        'GObject bindings for their browser: run `apt-get install -y webkit2gtk-driver xvfb python3-gi gir1.2-webkit2-4.1` ' +
        '(as root), or set WEBKIT_DRIVER_PATH to a WebKitWebDriver.',
    );
  }
  const port = await freePort();
  // The browsers' profiles live here; removed on close, since the driver may kill a browser before it removes its own.
  const profiles = mkdtempSync(join(tmpdir(), 'webkit-profiles-'));
  const capabilities = {
    alwaysMatch: { 'webkitgtk:browserOptions': { binary: CONSOLE_BROWSER, args: [`--profile-root=${profiles}`] } },
  };
  // Its own process group, so that closing ends Xvfb, the driver and the browsers it started. The driver allows one
  // session at a time: a new page replaces the last one, even when a failed test could not close it.
  // Each driver its own X display, named after its port: two suites starting at once would race for xvfb-run's
  // --auto-servernum.
  const display = 100 + (port % 5000);
  // Without GL under Xvfb, WebKit's composited layers never repaint: screenshots showed the page as first painted.
  const env = { ...process.env, WEBKIT_DISABLE_COMPOSITING_MODE: '1' };
  const args = [`--server-num=${display}`, WEBKIT_DRIVER_PATH, `--port=${port}`, '--replace-on-new-session'];
  const driver = spawn(XVFB_RUN, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  driver.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  driver.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => driver.on('exit', () => resolve()));
  const base = `http://127.0.0.1:${port}`;
  await waitForDriver(base, driver, () => output);

  /**
   * A new session, which starts a new browser. Now and then (about once in 30 sessions here) the driver never answers
   * right after the last session ended; the next attempt replaces the stuck one.
   */
  async function newSession(attempts = 3): Promise<string> {
    try {
      return (await command<{ sessionId: string }>(`${base}/session`, 'POST', { capabilities }, 10_000)).sessionId;
    } catch (error) {
      // fetch's timeout is a DOMException, from outside jest's realm: test its name, not its class.
      const timedOut = typeof error === 'object' && error !== null && 'name' in error && error.name === 'TimeoutError';
      if (attempts <= 1 || !timedOut) throw error;
      return newSession(attempts - 1);
    }
  }

  async function openPage(url: string): Promise<BrowserPage> {
    const sessionId = await newSession();
    // The last page's browser has exited by now: what the driver's output gets from here on is this page's.
    const consoleStart = output.length;
    const session = `${base}/session/${sessionId}`;
    // A web element reference is an object with one entry (WebDriver §12.1, "web element identifier").
    const find = async (selector: string) =>
      Object.values(
        await command<Record<string, string>>(`${session}/element`, 'POST', { using: 'css selector', value: selector }),
      )[0];
    const run = <T>(script: string, args: unknown[]) => command<T>(`${session}/execute/sync`, 'POST', { script, args });
    await command(`${session}/window/rect`, 'POST', VIEWPORT);
    await command(`${session}/url`, 'POST', { url });
    const page: BrowserPage = {
      async fill(selector, value) {
        const element = await find(selector);
        await command(`${session}/element/${element}/clear`, 'POST', {});
        await command(`${session}/element/${element}/value`, 'POST', { text: value });
      },
      select: async (selector, value) => {
        const option = await find(`${selector} option[value="${value}"]`);
        await command(`${session}/element/${option}/click`, 'POST', {});
      },
      click: async (selector) => void (await command(`${session}/element/${await find(selector)}/click`, 'POST', {})),
      async waitFor(selector) {
        for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
          if (await run<boolean>('return document.querySelector(arguments[0]) !== null', [selector])) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        throw new Error(
          `WebKit: nothing matched ${selector} within 15 s; the page: ${await run<string>('return document.body.outerHTML.slice(0, 3000)', [])}`,
        );
      },
      text: (selector) => run<string>("return document.querySelector(arguments[0])?.textContent ?? ''", [selector]),
      evaluate: <A, R>(fn: (arg: A) => Promise<R>, arg: A) =>
        command<R>(`${session}/execute/async`, 'POST', {
          script: `const done = arguments[arguments.length - 1]; (${fn.toString()})(arguments[0]).then(done, (error) => done({ error: String(error) }));`,
          args: [arg],
        }),
      consoleText: () =>
        output
          .slice(consoleStart)
          .split('\n')
          .filter((line) => CONSOLE_LINE.test(line))
          .join('\n'),
      async screenshot(path) {
        writeFileSync(path, Buffer.from(await command<string>(`${session}/screenshot`, 'GET'), 'base64'));
      },
      close: async () => void (await command(session, 'DELETE')),
    };
    return page;
  }

  return {
    openPage,
    async close() {
      if (driver.pid !== undefined && driver.exitCode === null) process.kill(-driver.pid, 'SIGTERM');
      await exited;
      rmSync(profiles, { recursive: true, force: true });
    },
  };
}

export const webkitEngine: EngineDescription = {
  name: 'webkit',
  // Every CORS refusal ends in `CONSOLE JS ERROR Fetch API cannot load <url> due to access control checks.`, after a
  // `CONSOLE SECURITY ERROR` line with the reason, e.g. `Credentials flag is true, but Access-Control-Allow-Credentials
  // is not "true".`
  console: {
    corsBlocked: /cannot load \S+ due to access control checks/,
    credentialsRefused: /Access-Control-Allow-Credentials is not "true"/,
  },
  launch: launchWebKit,
};
