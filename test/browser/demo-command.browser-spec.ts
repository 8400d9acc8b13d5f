/**
 * `npm run demo` as a newcomer runs it (issue 36), in each engine: on ports other than its defaults the page calls the
 * API the demo started; a page that reaches no API says so instead of blaming CORS; a port already in use stops the
 * demo with one line naming its setting; a signal to npm's process stops the API once, gracefully.
 */
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { servePage, stopServing } from '../../demo/static-server.js';
import { pollUntil } from '../support/poll.js';
import { endGroup, runNpmScript, type ServiceProcess } from '../support/service-process.js';
import type { BrowserEngine, BrowserPage } from './engine.js';
import { ENGINE } from './engine-under-test.js';
import { originOf } from './pages.js';

let browser: BrowserEngine;

beforeAll(async () => {
  browser = await ENGINE.launch();
}, 120_000);

afterAll(() => browser?.close());

/** A server holding a free port of localhost, for as long as a test needs the port taken. */
async function holdPort(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return server;
}

const portOf = (server: Server): number => (server.address() as AddressInfo).port;

/** Ports nothing listens on (at the time of asking). */
async function freePorts(count: number): Promise<number[]> {
  const held = await Promise.all(Array.from({ length: count }, holdPort));
  const ports = held.map(portOf);
  await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Waits until the demo says it runs; fails with what it printed otherwise. */
async function running(demo: ServiceProcess): Promise<void> {
  if (!(await pollUntil(() => demo.output().includes('Press Ctrl+C to stop.'), 30_000))) {
    throw new Error(`npm run demo did not start:\n${demo.output()}`);
  }
}

/** The demo's exit code once it has stopped by itself, or 'still running' after 20 s. */
async function exitOf(demo: ServiceProcess): Promise<number | null | 'still running'> {
  return (await pollUntil(() => demo.child.exitCode !== null || demo.child.signalCode !== null, 20_000))
    ? demo.exited
    : 'still running';
}

/** Stops the demo as a user would, then ends whatever a broken demo would leave behind. */
async function stopped(demo: ServiceProcess): Promise<void> {
  demo.child.kill('SIGTERM');
  await demo.exited;
  endGroup(demo);
}

async function greet(page: BrowserPage): Promise<void> {
  await page.click('#greet');
  await page.waitFor('body[data-state="done"]');
}

describe(`npm run demo in ${ENGINE.name}`, () => {
  it('serves the API and the pages on the ports PORT, DEMO_ALLOWED_PORT and DEMO_BLOCKED_PORT name, and the pages call that API', async () => {
    const [api = 0, allowed = 0, blocked = 0] = await freePorts(3);
    const demo = runNpmScript('demo', {
      PORT: String(api),
      DEMO_ALLOWED_PORT: String(allowed),
      DEMO_BLOCKED_PORT: String(blocked),
    });
    try {
      await running(demo);
      expect(demo.output()).toContain(`Demo running, the API on http://localhost:${api}:`);

      const allowedPage = await browser.openPage(`http://localhost:${allowed}/`);
      // Read once the page's script has run (WebKit's driver returns from navigation before module scripts run).
      await greet(allowedPage);
      expect(await allowedPage.text('#api')).toBe(`http://localhost:${api}`);
      expect(await allowedPage.text('#greeting')).toBe('Hola, Alice!');
      await allowedPage.close();

      const blockedPage = await browser.openPage(`http://localhost:${blocked}/`);
      await greet(blockedPage);
      expect(await blockedPage.text('#error')).toBe(
        `Blocked by CORS: http://localhost:${blocked} may not read answers from http://localhost:${api}.`,
      );
      expect(await blockedPage.text('#explanation')).toContain(
        `CORS_ALLOWED_ORIGINS=http://localhost:${allowed},http://localhost:${blocked} `,
      );
      await blockedPage.close();
    } finally {
      await stopped(demo);
    }
  }, 60_000);

  it('says the API cannot be reached, not that CORS refused, when nothing answers at its address', async () => {
    const [closed = 0] = await freePorts(1);
    const page = await servePage(0, () => ({ api: `http://localhost:${closed}`, allowedOrigin: originOf(page) }));
    try {
      const opened = await browser.openPage(originOf(page));
      await greet(opened);
      expect(await opened.text('#error')).toBe(
        `Cannot reach the API at http://localhost:${closed}: nothing answers there.`,
      );
      expect(await opened.text('#what-readable')).toBe('no: the API did not answer');
      await opened.close();
    } finally {
      stopServing(page);
    }
  });

  it("stops with the API's own reason when PORT is taken, serving no page", async () => {
    const taken = await holdPort();
    const demo = runNpmScript('demo', { PORT: String(portOf(taken)), DEMO_ALLOWED_PORT: '0', DEMO_BLOCKED_PORT: '0' });
    try {
      expect(await exitOf(demo)).toBe(1);
      expect(demo.output()).toContain(`PORT ${portOf(taken)} is already in use; set PORT to a free port`);
      expect(demo.output()).toContain('The demo stops: its API did not start (the reason is above).');
      expect(demo.output()).not.toContain('Demo running');
    } finally {
      endGroup(demo);
      taken.close();
    }
  }, 30_000);

  it.each(['DEMO_ALLOWED_PORT', 'DEMO_BLOCKED_PORT'])(
    'stops with one line naming %s when its port is taken, no stack trace',
    async (setting) => {
      const taken = await holdPort();
      const port = portOf(taken);
      const demo = runNpmScript('demo', {
        PORT: '0',
        DEMO_ALLOWED_PORT: '0',
        DEMO_BLOCKED_PORT: '0',
        [setting]: String(port),
      });
      try {
        expect(await exitOf(demo)).toBe(1);
        expect(demo.output()).toContain(
          `\n${setting} ${port} is already in use; set ${setting} to a free port, e.g. ${setting}=${port + 1} npm run demo\n`,
        );
        expect(demo.output()).not.toMatch(/\n\s+at /);
        expect(demo.output()).not.toContain('Listening on');
      } finally {
        endGroup(demo);
        taken.close();
      }
    },
    30_000,
  );

  it.each([
    ["npm's process (kill -INT <pid>)", (npm: number) => npm],
    ['its whole process group, as Ctrl+C in a terminal does', (npm: number) => -npm],
  ])(
    'stops on SIGINT to %s: the API finishes once, gracefully, and frees its port',
    async (_to, target) => {
      const demo = runNpmScript('demo', { PORT: '0', DEMO_ALLOWED_PORT: '0', DEMO_BLOCKED_PORT: '0' });
      try {
        await running(demo);
        const api = Number(/Demo running, the API on http:\/\/localhost:(\d+)/.exec(demo.output())?.[1]);
        process.kill(target(demo.child.pid ?? 0), 'SIGINT');
        expect(await exitOf(demo)).toBe(0);
        expect(demo.output().match(/SIGINT received: finishing in-flight requests/g)).toHaveLength(1);
        expect(demo.output()).not.toContain('SIGTERM received');
        // The port is free again: nothing of the demo is left listening.
        const probe = createServer();
        await expect(
          new Promise<void>((resolve, reject) => probe.once('error', reject).listen(api, () => resolve())),
        ).resolves.toBeUndefined();
        probe.close();
      } finally {
        endGroup(demo);
      }
    },
    60_000,
  );
});
