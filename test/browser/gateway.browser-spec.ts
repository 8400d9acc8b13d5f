/**
 * The demo page's Socket.IO greeting in real Chromium (issue 19): on the
 * allowed origin it connects and greets, on a disallowed one it cannot
 * connect, over both transports. The page talks to the service directly (the
 * recording proxy of demo.browser-spec.ts does not carry upgrades).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { servePage } from '../../demo/static-server.js';
import { listeningPort, runService, type ServiceProcess } from '../support/service-process.js';
import { launchChromium } from './chromium.js';

let browser: Browser;
let allowedPage: Server;
let blockedPage: Server;
let service: ServiceProcess;
let api: string;

const originOf = (server: Server): string => `http://localhost:${(server.address() as AddressInfo).port}`;

beforeAll(async () => {
  browser = await launchChromium();
  allowedPage = await servePage(0);
  blockedPage = await servePage(0);
  service = runService({ PORT: '0', CORS_ALLOWED_ORIGINS: originOf(allowedPage) });
  api = `http://localhost:${await listeningPort(service)}`;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  allowedPage?.close();
  blockedPage?.close();
  service?.child.kill('SIGTERM');
  await service?.exited;
});

async function greetOverSocket(origin: string, transport: string): Promise<{ page: Page; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/?api=${encodeURIComponent(api)}`);
  await page.fill('#name', 'Alice');
  await page.selectOption('#lang', 'es');
  await page.selectOption('#transport', transport);
  await page.click('#socket-greet');
  await page.waitForSelector('body[data-socket-state="done"]');
  return { page, close: () => context.close() };
}

describe.each(['polling', 'websocket'])('the demo page greeting over the Socket.IO gateway, %s transport', (transport) => {
  it('connects and greets from the allowed origin', async () => {
    const { page, close } = await greetOverSocket(originOf(allowedPage), transport);
    expect(await page.textContent('#socket-greeting')).toBe('Hola, Alice!');
    expect(await page.textContent('#socket-error')).toBe('');
    await close();
  });

  it('cannot connect from a disallowed origin', async () => {
    const { page, close } = await greetOverSocket(originOf(blockedPage), transport);
    expect(await page.textContent('#socket-greeting')).toBe('');
    expect(await page.textContent('#socket-error')).toContain(`Cannot connect over ${transport}`);
    await close();
  });
});
