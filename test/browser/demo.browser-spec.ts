/**
 * The article's page in real Chromium (issue 4): the built API behind a
 * recording proxy, the demo page served from an allowed and a disallowed origin.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { servePage } from '../../demo/static-server.js';
import { listeningPort, ROOT, runService, type ServiceProcess } from '../support/service-process.js';
import { launchChromium } from './chromium.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Screenshots land in the repository only when asked (npm run screenshots).
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'shots-'));

interface Api {
  readonly service: ServiceProcess;
  readonly proxy: RecordingProxy;
}

let browser: Browser;
let allowedPage: Server;
let blockedPage: Server;
let allowedOrigin: string;
let blockedOrigin: string;
let api: Api;
let credentialedApi: Api;

const portOf = (server: Server) => (server.address() as AddressInfo).port;

async function startApi(env: Record<string, string>): Promise<Api> {
  const service = runService({ PORT: '0', ...env });
  const proxy = await startRecordingProxy(await listeningPort(service));
  return { service, proxy };
}

async function stopApi(started: Api | undefined): Promise<void> {
  await started?.proxy.close();
  started?.service.child.kill('SIGTERM');
  await started?.service.exited;
}

beforeAll(async () => {
  browser = await launchChromium();
  allowedPage = await servePage(0);
  blockedPage = await servePage(0);
  allowedOrigin = `http://localhost:${portOf(allowedPage)}`;
  blockedOrigin = `http://localhost:${portOf(blockedPage)}`;
  api = await startApi({ CORS_ALLOWED_ORIGINS: allowedOrigin });
  credentialedApi = await startApi({ CORS_ALLOWED_ORIGINS: allowedOrigin, CORS_ALLOW_CREDENTIALS: 'true' });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  allowedPage?.close();
  blockedPage?.close();
  await stopApi(api);
  await stopApi(credentialedApi);
});

interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly console: string[];
}

/** A fresh browser profile (empty preflight cache and cookie jar) on the demo page. */
async function openDemo(origin: string, target: Api = api): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 900, height: 820 } });
  const page = await context.newPage();
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  await page.goto(`${origin}/?api=${encodeURIComponent(target.proxy.url)}`);
  target.proxy.requests.length = 0;
  return { context, page, console };
}

async function greetOnPage(page: Page, name: string, lang: string): Promise<void> {
  await page.fill('#name', name);
  await page.selectOption('#lang', lang);
  await page.click('#greet');
  await page.waitForSelector('body[data-state="done"]');
}

interface FetchInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly credentials?: 'include' | 'omit' | 'same-origin';
}

/** Runs `fetch` in the page and says whether the page could read the answer. */
function fetchInPage(page: Page, path: string, init: FetchInit, target: Api = api) {
  return page.evaluate(
    async ([url, options]) => {
      try {
        const response = await fetch(url, options);
        return { readable: true, status: response.status, body: await response.text(), requestId: response.headers.get('X-Request-Id') };
      } catch (error) {
        return { readable: false, status: 0, body: String(error), requestId: null };
      }
    },
    [`${target.proxy.url}${path}`, init] as const,
  );
}

const methodsSeen = (target: Api) => target.proxy.requests.map((r) => `${r.method} ${r.path}`);

describe('the demo page in Chromium', () => {
  it('greets from an allowed origin after a real preflight, showing the exposed X-Request-Id', async () => {
    const { context, page } = await openDemo(allowedOrigin);
    await greetOnPage(page, 'Alice', 'es');
    expect(await page.textContent('#greeting')).toBe('Hola, Alice!');
    expect(await page.textContent('#what-readable')).toContain('yes');
    expect(await page.textContent('#what-request-id')).toMatch(UUID);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet', 'POST /greet']);
    expect(api.proxy.requests[0]).toMatchObject({ origin: allowedOrigin, requestHeaders: 'content-type' });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-allowed.png') });
    await context.close();
  });

  it('cannot read the answer from a disallowed origin, shows why, and the console has the CORS error', async () => {
    const { context, page, console } = await openDemo(blockedOrigin);
    await greetOnPage(page, 'Alice', 'es');
    expect(await page.textContent('#greeting')).toBe('');
    expect(await page.textContent('#error')).toContain(`Blocked by CORS: ${blockedOrigin}`);
    expect(await page.textContent('#what-readable')).toContain('no');
    expect(console.join('\n')).toMatch(/blocked by CORS policy/);
    // The preflight was refused, so the browser never sent the POST.
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
    await page.screenshot({ path: join(SCREENSHOTS, 'demo-blocked.png') });
    await context.close();
  });

  it("shows the refused preflight's reason in the developer tools (DevTools protocol), outside production", async () => {
    const { context, page } = await openDemo(blockedOrigin);
    const devtools = await context.newCDPSession(page);
    const answers: Array<{ status: number; headers: Record<string, string> }> = [];
    devtools.on('Network.responseReceivedExtraInfo', (event) => answers.push({ status: event.statusCode, headers: event.headers }));
    await devtools.send('Network.enable');
    await greetOnPage(page, 'Alice', 'es');
    // What the network tab shows for the preflight Chromium sent and the API refused.
    const refused = answers.find((answer) => answer.status === 403);
    const reason = Object.entries(refused?.headers ?? {}).find(([name]) => name.toLowerCase() === 'x-cors-rejection-reason')?.[1];
    expect(reason).toBe(`origin "${blockedOrigin}" is not in policy 'frontend' (allowed: ${allowedOrigin})`);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
    await context.close();
  });

  it("shows the API's error to an allowed origin: the error response is readable", async () => {
    const { context, page } = await openDemo(allowedOrigin);
    await greetOnPage(page, 'Alice', 'foo');
    expect(await page.textContent('#error')).toBe("Invalid or unsupported language selection: 'foo'");
    expect(await page.textContent('#what-status')).toContain('400');
    await context.close();
  });

  it('reads GET /greet/languages from any origin', async () => {
    const { context, page } = await openDemo(blockedOrigin);
    const answer = await fetchInPage(page, '/greet/languages', {});
    expect(answer.readable).toBe(true);
    expect(JSON.parse(answer.body)).toMatchObject({ default: 'en' });
    await context.close();
  });

  it('blocks a request with a header the policy does not allow at the preflight', async () => {
    const { context, page, console } = await openDemo(allowedOrigin);
    const answer = await fetchInPage(page, '/greet', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Evil': '1' },
      body: '{"name":"Alice"}',
    });
    expect(answer.readable).toBe(false);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
    expect(api.proxy.requests[0]?.requestHeaders).toBe('content-type,x-evil');
    expect(console.join('\n')).toMatch(/blocked by CORS policy/);
    await context.close();
  });

  it('caches the preflight for its max-age: a second identical request sends no preflight', async () => {
    const { context, page } = await openDemo(allowedOrigin);
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"Alice"}' };
    expect((await fetchInPage(page, '/greet', init)).readable).toBe(true);
    expect((await fetchInPage(page, '/greet', init)).readable).toBe(true);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet', 'POST /greet', 'POST /greet']);
    await context.close();
  });
});

describe('credentials', () => {
  const remember: FetchInit = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"name":"Alice","lang":"fr"}',
    credentials: 'include',
  };
  const recall: FetchInit = { ...remember, body: '{"name":"Alice"}' };

  it('with CORS_ALLOW_CREDENTIALS=true, the cookie the API set comes back and the answer is readable', async () => {
    const { context, page } = await openDemo(allowedOrigin, credentialedApi);
    expect((await fetchInPage(page, '/greet', remember, credentialedApi)).readable).toBe(true);
    const second = await fetchInPage(page, '/greet', recall, credentialedApi);
    expect(second.readable).toBe(true);
    expect(JSON.parse(second.body).greeting).toBe('Bonjour, Alice!');
    expect(credentialedApi.proxy.requests.at(-1)?.cookie).toBe('greet_lang=fr');
    await context.close();
  });

  it('without it, the credentialed read is blocked', async () => {
    const { context, page, console } = await openDemo(allowedOrigin, api);
    const answer = await fetchInPage(page, '/greet', remember);
    expect(answer.readable).toBe(false);
    expect(console.join('\n')).toMatch(/Access-Control-Allow-Credentials/);
    await context.close();
  });
});
