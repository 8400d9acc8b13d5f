/// <reference lib="dom" />
/**
 * Report-only in real Chromium (issue 34): a page on an origin the policy
 * does not list reads the API's answer while the module only reports
 * (`app.enableCors()` still answers), with one disagreement counted; once
 * enforced, without the old layer, the browser blocks it. (The DOM types are
 * for the `page.evaluate()` callbacks, which run in the page.)
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { Cors, type CorsDecisionEvent, CorsModule, type CorsModuleOptions, DECISION_CHANNEL } from 'nestjs-route-cors';
import type { Browser } from 'playwright-core';
import { launchChromiumBrowser } from '../../../../test/browser/chromium.js';
import { originOf, serveEmptyPage } from '../../../../test/browser/pages.js';
import { createFixtureApp, initialised } from '../../../../test/support/fixture-app.js';

@Cors({ origins: ['https://app.example.com'] })
@Controller('orders')
class OrdersController {
  @Get()
  list(): { orders: number } {
    return { orders: 3 };
  }
}

let browser: Browser;
let pageServer: Server;
let pageOrigin: string;
const events: CorsDecisionEvent[] = [];
const record = (message: unknown): void => void events.push(message as CorsDecisionEvent);

beforeAll(async () => {
  browser = await launchChromiumBrowser();
  pageServer = await serveEmptyPage();
  pageOrigin = originOf(pageServer);
  subscribe(DECISION_CHANNEL, record);
}, 60_000);

afterAll(async () => {
  unsubscribe(DECISION_CHANNEL, record);
  await browser?.close();
  pageServer?.close();
});

/** The API on 127.0.0.1 (the page is on localhost: another origin), with the old layer or without. */
async function startApi(
  options: CorsModuleOptions,
  enableCors: boolean,
): Promise<{ app: INestApplication; api: string }> {
  @Module({ imports: [CorsModule.forRoot({ logRoutes: false, ...options })], controllers: [OrdersController] })
  class ApiModule {}
  const app = await createFixtureApp(ApiModule);
  if (enableCors) app.enableCors({ origin: true });
  await initialised(app);
  await app.listen(0, '127.0.0.1');
  return { app, api: `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}` };
}

/** What the page's `fetch` gets: the JSON it read, or the error the browser gave it. */
async function fetchFromPage(api: string): Promise<unknown> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageOrigin);
    return await page.evaluate(async (url) => {
      try {
        const res = await fetch(url);
        return { read: (await res.json()) as unknown };
      } catch (error) {
        return { blocked: (error as Error).name };
      }
    }, `${api}/orders`);
  } finally {
    await context.close();
  }
}

describe('a page on an unlisted origin', () => {
  it('reads the answer in report-only beside enableCors(), one disagreement counted', async () => {
    const { app, api } = await startApi({ mode: 'report-only' }, true);
    try {
      events.length = 0;
      expect(await fetchFromPage(api)).toEqual({ read: { orders: 3 } });
      expect(events.filter((event) => event.disagreement !== undefined)).toEqual([
        expect.objectContaining({
          kind: 'actual',
          outcome: 'refused',
          code: 'origin-not-allowed',
          mode: 'report-only',
        }),
      ]);
    } finally {
      await app.close();
    }
  });

  it('is blocked once the policy is enforced and the old layer removed', async () => {
    const { app, api } = await startApi({}, false);
    try {
      events.length = 0;
      expect(await fetchFromPage(api)).toEqual({ blocked: 'TypeError' });
      expect(events).toEqual([expect.objectContaining({ kind: 'actual', outcome: 'refused', mode: 'enforce' })]);
    } finally {
      await app.close();
    }
  });
});
