/// <reference lib="dom" />
/**
 * HTTP QUERY across origins in real Chromium (issue 30): `fetch(url, { method:
 * 'QUERY' })` with a JSON body is preflighted (QUERY is not CORS-safelisted);
 * a page whose origin the route's policy allows reads the answer, a page on
 * another origin gets the browser's TypeError. (The DOM types are for the
 * `page.evaluate()` callbacks.)
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import { startQueryMethodApp } from '../fixtures/query-method.fixture.js';
import { launchChromiumBrowser } from '../../../../test/browser/chromium.js';
import { originOf, serveEmptyPage } from '../../../../test/browser/pages.js';

let browser: Browser;
let allowedPage: Server;
let blockedPage: Server;
let app: INestApplication;
let api: string;

beforeAll(async () => {
  browser = await launchChromiumBrowser();
  allowedPage = await serveEmptyPage();
  blockedPage = await serveEmptyPage();
  app = await startQueryMethodApp(originOf(allowedPage));
  await app.listen(0, '127.0.0.1');
  api = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  allowedPage?.close();
  blockedPage?.close();
  await app?.close();
});

/** What `fetch` with QUERY gives a page on `pageServer`'s origin: the answer's body, or the error's type and message. */
async function queryFrom(pageServer: Server, path: string): Promise<{ body?: unknown; error?: string }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(originOf(pageServer));
    return await page.evaluate(async (url) => {
      try {
        const res = await fetch(url, {
          method: 'QUERY',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ q: 'sales' }),
        });
        return { body: (await res.json()) as unknown };
      } catch (error) {
        return { error: `${(error as Error).name}: ${(error as Error).message}` };
      }
    }, `${api}${path}`);
  } finally {
    await context.close();
  }
}

describe('a QUERY request from a page', () => {
  it('reads the answer on a page whose origin the policy allows', async () => {
    expect(await queryFrom(allowedPage, '/reports')).toEqual({ body: { searched: { q: 'sales' } } });
  });

  it('fails with a TypeError on a page of another origin', async () => {
    expect(await queryFrom(blockedPage, '/reports')).toEqual({ error: 'TypeError: Failed to fetch' });
  });

  it('fails with a TypeError where the policy does not list QUERY, though it allows the origin', async () => {
    expect(await queryFrom(allowedPage, '/legacy')).toEqual({ error: 'TypeError: Failed to fetch' });
  });
});
