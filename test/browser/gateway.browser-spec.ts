/**
 * The demo page's Socket.IO greeting in a real browser (issue 19), once per
 * engine (issue 27): on the
 * allowed origin it connects and greets, on a disallowed one it cannot
 * connect, over both transports. The page talks to the service directly (the
 * recording proxy of demo.browser-spec.ts does not carry upgrades).
 */
import type { Server } from 'node:http';
import { servePage, stopServing } from '../../demo/static-server.js';
import { listeningPort, runService, type ServiceProcess } from '../support/service-process.js';
import type { BrowserEngine, BrowserPage } from './engine.js';
import { ENGINE } from './engine-under-test.js';
import { originOf } from './pages.js';

let browser: BrowserEngine;
let allowedPage: Server;
let blockedPage: Server;
let service: ServiceProcess;
let api: string;

beforeAll(async () => {
  browser = await ENGINE.launch();
  // As npm run demo serves them: told the API's address (known once it listens).
  const settings = () => ({ api, allowedOrigin: originOf(allowedPage) });
  allowedPage = await servePage(0, settings);
  blockedPage = await servePage(0, settings);
  service = runService({ PORT: '0', CORS_ALLOWED_ORIGINS: originOf(allowedPage) });
  api = `http://localhost:${await listeningPort(service)}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (allowedPage) stopServing(allowedPage);
  if (blockedPage) stopServing(blockedPage);
  service?.child.kill('SIGTERM');
  await service?.exited;
});

async function greetOverSocket(origin: string, transport: string): Promise<BrowserPage> {
  const page = await browser.openPage(origin);
  await page.fill('#name', 'Alice');
  await page.select('#lang', 'es');
  await page.select('#transport', transport);
  await page.click('#socket-greet');
  await page.waitFor('body[data-socket-state="done"]');
  return page;
}

describe.each(['polling', 'websocket'])(
  `the demo page greeting over the Socket.IO gateway in ${ENGINE.name}, %s transport`,
  (transport) => {
    it('connects and greets from the allowed origin', async () => {
      const page = await greetOverSocket(originOf(allowedPage), transport);
      expect(await page.text('#socket-greeting')).toBe('Hola, Alice!');
      expect(await page.text('#socket-error')).toBe('');
      await page.close();
    });

    it('cannot connect from a disallowed origin', async () => {
      const page = await greetOverSocket(originOf(blockedPage), transport);
      expect(await page.text('#socket-greeting')).toBe('');
      expect(await page.text('#socket-error')).toContain(`Cannot connect over ${transport}`);
      await page.close();
    });
  },
);
