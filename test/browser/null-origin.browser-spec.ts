/// <reference lib="dom" />
/**
 * The refusal that matters most, in real Chromium (issue 33): a sandboxed
 * iframe's requests carry `Origin: null`, so a policy allowing `'null'`
 * with credentials hands the user's session to any site that frames a
 * sandboxed page. Tolerated by name, such a frame reads the answer to its
 * `credentials: 'include'` request (Chromium checks Allow-Origin: null and
 * Allow-Credentials: true, as for any origin); as written, the app does not
 * start. Run on both platforms (the project's HTTP_ADAPTER).
 *
 * Chromium 156 sent no cookie with the sandboxed frame's request in this
 * suite (its third-party cookie rules for opaque origins); cookies are not
 * the only credentials, other browsers and settings differ, and the server
 * cannot tell: the refusal stays.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Browser } from 'playwright-core';
import { CorsConfigurationError } from 'nestjs-route-cors';
import { startNullOriginApp } from '../../packages/nestjs-route-cors/test/fixtures/null-origin.fixture.js';
import { launchChromiumBrowser } from './chromium.js';
import { originOf, serveEmptyPage } from './pages.js';

let browser: Browser;
let page: Server;
let app: INestApplication;
let api: string;

beforeAll(async () => {
  browser = await launchChromiumBrowser();
  page = await serveEmptyPage();
  app = await startNullOriginApp(true);
  await app.listen(0, 'localhost');
  api = `http://localhost:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await browser?.close();
  page?.close();
  await app?.close();
});

/** What a sandboxed iframe (scripts only: an opaque origin) on the page gets from a credentialed fetch of `url`. */
async function fetchFromSandboxedFrame(url: string): Promise<{ origin?: string; body?: unknown; error?: string }> {
  const context = await browser.newContext();
  try {
    const tab = await context.newPage();
    await tab.goto(originOf(page));
    return await tab.evaluate(async (target) => {
      const frameScript = `<script>
        fetch(${JSON.stringify(target)}, { credentials: 'include' })
          .then((res) => res.json())
          .then((body) => parent.postMessage({ origin: self.origin, body }, '*'))
          .catch((error) => parent.postMessage({ origin: self.origin, error: error.name + ': ' + error.message }, '*'));
      </script>`;
      type Outcome = { origin?: string; body?: unknown; error?: string };
      const answer = new Promise<Outcome>((resolve) =>
        addEventListener('message', (event) => resolve(event.data as Outcome), { once: true }),
      );
      const frame = document.createElement('iframe');
      frame.setAttribute('sandbox', 'allow-scripts');
      frame.srcdoc = frameScript;
      document.body.append(frame);
      return answer;
    }, url);
  } finally {
    await context.close();
  }
}

describe("'null' with credentials", () => {
  it("tolerated by name: a sandboxed iframe (Origin: null) reads the answer to its credentials: 'include' request", async () => {
    expect(await fetchFromSandboxedFrame(`${api}/session`)).toEqual({ origin: 'null', body: { user: 'alice' } });
  });

  it("'null' without credentials (allowed as written): the same credentialed request fails, as the browser requires Allow-Credentials", async () => {
    expect(await fetchFromSandboxedFrame(`${api}/anonymous`)).toEqual({
      origin: 'null',
      error: 'TypeError: Failed to fetch',
    });
  });

  it('as written, without tolerate: the application does not start, naming the entry', async () => {
    const started = startNullOriginApp(false);
    await expect(started).rejects.toThrow(CorsConfigurationError);
    await expect(startNullOriginApp(false)).rejects.toThrow(
      /Invalid CORS policy 'embedded': origins entry "null" allows credentials to 'null'.*tolerate: \['null-origin-with-credentials'\]/,
    );
  });
});
