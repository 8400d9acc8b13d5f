/// <reference lib="dom" />
/**
 * What only a browser enforces, in real Chromium (issue 26): with
 * `useSecurityHeaders()` on, a page on another site embeds an `<img>` from a
 * public ('*') route and is blocked from a private one (Cross-Origin-
 * Resource-Policy); and a page the policy allows reads the Resource Timing
 * phases and `Server-Timing` of an answer whose policy sends
 * Timing-Allow-Origin, and zeros where it does not. (The DOM types are for
 * the `page.evaluate()` callbacks, which run in the page.)
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { Browser, Page } from 'playwright-core';
import { startSecurityFeaturesApp } from '../fixtures/security-features.fixture.js';
import { launchChromiumBrowser } from '../../../../test/browser/chromium.js';
import { originOf, serveEmptyPage } from '../../../../test/browser/pages.js';

let browser: Browser;
let pageServer: Server;
let app: INestApplication;
/** The API on 127.0.0.1, the page on localhost: another site, not only another origin. */
let api: string;
let pageOrigin: string;

beforeAll(async () => {
  browser = await launchChromiumBrowser();
  pageServer = await serveEmptyPage();
  pageOrigin = originOf(pageServer);
  app = await startSecurityFeaturesApp({ features: ['headers'], pageOrigin });
  await app.listen(0, '127.0.0.1');
  api = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pageServer?.close();
  await app?.close();
});

async function onPage<T>(run: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(pageOrigin);
    return await run(page);
  } finally {
    await context.close();
  }
}

describe('images embedded by a page on another site, with useSecurityHeaders() on', () => {
  it("loads one from a public ('*') route and is blocked on a private one", async () => {
    const { loaded, blocked } = await onPage(async (page) => {
      const failures: string[] = [];
      page.on('requestfailed', (request) =>
        failures.push(`${new URL(request.url()).pathname} ${request.failure()?.errorText ?? ''}`),
      );
      const widths = await page.evaluate(async (base) => {
        const load = (path: string): Promise<number> =>
          new Promise((resolve) => {
            const img = document.createElement('img');
            img.onload = () => resolve(img.naturalWidth);
            img.onerror = () => resolve(0);
            img.src = `${base}${path}`;
            document.body.append(img);
          });
        return { publicImage: await load('/public/image'), privateImage: await load('/orders/badge') };
      }, api);
      return { loaded: widths, blocked: failures };
    });
    expect(loaded).toEqual({ publicImage: 4, privateImage: 0 });
    // Blocked by the response's Cross-Origin-Resource-Policy, not by anything else.
    expect(blocked).toEqual([expect.stringMatching(/^\/orders\/badge net::ERR_BLOCKED_BY_RESPONSE/)]);
  });
});

describe("Resource Timing of a cross-origin answer the page's policy allows", () => {
  /** What the page's own Resource Timing entry says about a fetched answer. */
  async function timingOf(
    path: string,
  ): Promise<{ readonly requestStart: number; readonly responseStart: number; readonly serverTiming: string[] }> {
    return onPage((page) =>
      page.evaluate(async (url) => {
        const res = await fetch(url);
        await res.text();
        const [entry] = performance.getEntriesByName(url) as PerformanceResourceTiming[];
        if (entry === undefined) throw new Error(`no Resource Timing entry for ${url}`);
        return {
          requestStart: entry.requestStart,
          responseStart: entry.responseStart,
          serverTiming: entry.serverTiming.map((timing) => timing.name),
        };
      }, `${api}${path}`),
    );
  }

  it('has non-zero phases and the Server-Timing entry where the policy sends Timing-Allow-Origin', async () => {
    const timing = await timingOf('/orders');
    expect(timing.requestStart).toBeGreaterThan(0);
    expect(timing.responseStart).toBeGreaterThan(0);
    expect(timing.serverTiming).toEqual(['db']);
  });

  it('has zeros and no Server-Timing where the policy does not send it', async () => {
    expect(await timingOf('/site')).toEqual({ requestStart: 0, responseStart: 0, serverTiming: [] });
  });
});
