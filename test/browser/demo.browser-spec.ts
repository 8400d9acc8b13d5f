/**
 * The article's page in a real browser (issue 4), once per engine (issue 27):
 * the built API behind a recording proxy, the demo page served from an allowed
 * and a disallowed origin.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { servePage, stopServing } from '../../demo/static-server.js';
import { pollUntil } from '../support/poll.js';
import { listeningPort, ROOT, runService, type ServiceProcess } from '../support/service-process.js';
import type { BrowserEngine, BrowserPage } from './engine.js';
import { ENGINE } from './engine-under-test.js';
import { type RecordingProxy, startRecordingProxy } from './recording-proxy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
// Screenshots land in the repository only when asked (npm run screenshots).
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'screenshots') : mkdtempSync(join(tmpdir(), 'shots-'));
/** README shows Chromium's screenshots; the other engines' carry the engine's name. */
const screenshot = (name: string) =>
  join(SCREENSHOTS, ENGINE.name === 'chromium' ? `${name}.png` : `${name}.${ENGINE.name}.png`);

interface Api {
  readonly service: ServiceProcess;
  readonly proxy: RecordingProxy;
}

let browser: BrowserEngine;
let allowedPage: Server;
let blockedPage: Server;
let allowedOrigin: string;
let blockedOrigin: string;
let api: Api;
let credentialedApi: Api;

const portOf = (server: Server) => (server.address() as AddressInfo).port;

/**
 * The page's console once it says `wording`, or as it is after 5 s: drivers deliver console messages as events,
 * which may arrive after the page's script has returned (Firefox's over BiDi did, once in CI).
 */
async function consoleSaying(page: BrowserPage, wording: RegExp): Promise<string> {
  await pollUntil(() => wording.test(page.consoleText()));
  return page.consoleText();
}

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
  browser = await ENGINE.launch();
  // Each test names its API with ?api= (two run here); the pages advise keeping the allowed one.
  const settings = () => ({ api: api.proxy.url, allowedOrigin });
  allowedPage = await servePage(0, settings);
  blockedPage = await servePage(0, settings);
  allowedOrigin = `http://localhost:${portOf(allowedPage)}`;
  blockedOrigin = `http://localhost:${portOf(blockedPage)}`;
  api = await startApi({ CORS_ALLOWED_ORIGINS: allowedOrigin });
  credentialedApi = await startApi({ CORS_ALLOWED_ORIGINS: allowedOrigin, CORS_ALLOW_CREDENTIALS: 'true' });
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (allowedPage) stopServing(allowedPage);
  if (blockedPage) stopServing(blockedPage);
  await stopApi(api);
  await stopApi(credentialedApi);
});

const demoUrl = (origin: string, target: Api) => `${origin}/?api=${encodeURIComponent(target.proxy.url)}`;

/** A fresh browser profile (empty preflight cache and cookie jar) on the demo page. */
async function openDemo(origin: string, target: Api = api): Promise<BrowserPage> {
  const page = await browser.openPage(demoUrl(origin, target));
  target.proxy.requests.length = 0;
  return page;
}

async function greetOnPage(page: BrowserPage, name: string, lang: string): Promise<void> {
  await page.fill('#name', name);
  await page.select('#lang', lang);
  await page.click('#greet');
  await page.waitFor('body[data-state="done"]');
}

interface FetchInit {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly credentials?: 'include' | 'omit' | 'same-origin';
}

interface FetchAnswer {
  readonly readable: boolean;
  readonly status: number;
  readonly body: string;
}

/** Runs `fetch` in the page and says whether the page could read the answer. */
function fetchInPage(page: BrowserPage, path: string, init: FetchInit, target: Api = api): Promise<FetchAnswer> {
  return page.evaluate(
    async ([url, options]: readonly [string, FetchInit]) => {
      try {
        const response = await fetch(url, options);
        return { readable: true, status: response.status, body: await response.text() };
      } catch (error) {
        return { readable: false, status: 0, body: String(error) };
      }
    },
    [`${target.proxy.url}${path}`, init] as const,
  );
}

/**
 * What reached the API, the page's own load of Socket.IO's client left out (engines fetch that script at different
 * moments: WebKit's driver returns from navigation before it has loaded), and so is the `GET /health` a blocked page
 * sends to tell a CORS refusal from an API that does not answer.
 */
const methodsSeen = (target: Api) =>
  target.proxy.requests
    .filter((r) => !r.path.startsWith('/socket.io/') && r.path !== '/health')
    .map((r) => `${r.method} ${r.path}`);

describe(`the demo page in ${ENGINE.name}`, () => {
  it('greets from an allowed origin after a real preflight, showing the exposed X-Request-Id', async () => {
    const page = await openDemo(allowedOrigin);
    await greetOnPage(page, 'Alice', 'es');
    expect(await page.text('#greeting')).toBe('Hola, Alice!');
    expect(await page.text('#what-readable')).toContain('yes');
    expect(await page.text('#what-request-id')).toMatch(UUID);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet', 'POST /greet']);
    expect(api.proxy.requests.find((r) => r.method === 'OPTIONS')).toMatchObject({
      origin: allowedOrigin,
      requestHeaders: 'content-type',
    });
    await page.screenshot(screenshot('demo-allowed'));
    await page.close();
  });

  it('cannot read the answer from a disallowed origin, and shows why', async () => {
    const page = await openDemo(blockedOrigin);
    await greetOnPage(page, 'Alice', 'es');
    expect(await page.text('#greeting')).toBe('');
    expect(await page.text('#error')).toContain(`Blocked by CORS: ${blockedOrigin}`);
    expect(await page.text('#what-readable')).toContain('no');
    expect(await page.text('#explanation')).toContain(
      `start the API with CORS_ALLOWED_ORIGINS=${allowedOrigin},${blockedOrigin} `,
    );
    // The preflight was refused, so the browser never sent the POST.
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
    await page.screenshot(screenshot('demo-blocked'));
    await page.close();
  });

  it("writes the CORS error to the console when a disallowed origin's read is refused", async () => {
    const page = await openDemo(blockedOrigin);
    await greetOnPage(page, 'Alice', 'es');
    expect(await consoleSaying(page, ENGINE.console.corsBlocked)).toMatch(ENGINE.console.corsBlocked);
    await page.close();
  });

  const itInNetworkTab = ENGINE.name === 'chromium' ? it : it.skip;
  itInNetworkTab(
    `shows the refused preflight's reason in the developer tools, outside production (read through Chromium's DevTools protocol: Chromium only)`,
    async () => {
      if (browser.openPageWatchingResponses === undefined)
        throw new Error(`${ENGINE.name}'s driver shows no network tab`);
      const { page, responses } = await browser.openPageWatchingResponses(demoUrl(blockedOrigin, api));
      api.proxy.requests.length = 0;
      await greetOnPage(page, 'Alice', 'es');
      // What the network tab shows for the preflight the browser sent and the API refused.
      const refused = responses.find((answer) => answer.status === 403);
      const reason = Object.entries(refused?.headers ?? {}).find(
        ([name]) => name.toLowerCase() === 'x-cors-rejection-reason',
      )?.[1];
      expect(reason).toBe(`origin "${blockedOrigin}" is not in policy 'frontend' (allowed: ${allowedOrigin})`);
      expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
      await page.close();
    },
  );

  it("shows the API's error to an allowed origin: the error response is readable", async () => {
    const page = await openDemo(allowedOrigin);
    await greetOnPage(page, 'Alice', 'foo');
    expect(await page.text('#error')).toBe("Invalid or unsupported language selection: 'foo'");
    expect(await page.text('#what-status')).toContain('400');
    await page.close();
  });

  it('reads GET /greet/languages from any origin', async () => {
    const page = await openDemo(blockedOrigin);
    const answer = await fetchInPage(page, '/greet/languages', {});
    expect(answer.readable).toBe(true);
    expect(JSON.parse(answer.body)).toMatchObject({ default: 'en' });
    await page.close();
  });

  it('blocks a request with a header the policy does not allow at the preflight', async () => {
    const page = await openDemo(allowedOrigin);
    const answer = await fetchInPage(page, '/greet', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Evil': '1' },
      body: '{"name":"Alice"}',
    });
    expect(answer.readable).toBe(false);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet']);
    expect(api.proxy.requests.find((r) => r.method === 'OPTIONS')?.requestHeaders).toBe('content-type,x-evil');
    await page.close();
  });

  it('writes the CORS error to the console when a header is refused', async () => {
    const page = await openDemo(allowedOrigin);
    await fetchInPage(page, '/greet', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Evil': '1' },
      body: '{"name":"Alice"}',
    });
    expect(await consoleSaying(page, ENGINE.console.corsBlocked)).toMatch(ENGINE.console.corsBlocked);
    await page.close();
  });

  it('caches the preflight for its max-age: a second identical request sends no preflight', async () => {
    const page = await openDemo(allowedOrigin);
    const init = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"Alice"}' };
    expect((await fetchInPage(page, '/greet', init)).readable).toBe(true);
    expect((await fetchInPage(page, '/greet', init)).readable).toBe(true);
    expect(methodsSeen(api)).toEqual(['OPTIONS /greet', 'POST /greet', 'POST /greet']);
    await page.close();
  });
});

describe(`credentials in ${ENGINE.name}`, () => {
  const remember: FetchInit = {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"name":"Alice","lang":"fr"}',
    credentials: 'include',
  };
  const recall: FetchInit = { ...remember, body: '{"name":"Alice"}' };

  it('with CORS_ALLOW_CREDENTIALS=true, the cookie the API set comes back and the answer is readable', async () => {
    const page = await openDemo(allowedOrigin, credentialedApi);
    expect((await fetchInPage(page, '/greet', remember, credentialedApi)).readable).toBe(true);
    const second = await fetchInPage(page, '/greet', recall, credentialedApi);
    expect(second.readable).toBe(true);
    expect((JSON.parse(second.body) as { greeting: string }).greeting).toBe('Bonjour, Alice!');
    expect(credentialedApi.proxy.requests.at(-1)?.cookie).toBe('greet_lang=fr');
    await page.close();
  });

  it('without it, the credentialed read is blocked', async () => {
    const page = await openDemo(allowedOrigin, api);
    const answer = await fetchInPage(page, '/greet', remember);
    expect(answer.readable).toBe(false);
    await page.close();
  });

  it('without it, the console names Access-Control-Allow-Credentials', async () => {
    const page = await openDemo(allowedOrigin, api);
    await fetchInPage(page, '/greet', remember);
    expect(await consoleSaying(page, ENGINE.console.credentialsRefused)).toMatch(ENGINE.console.credentialsRefused);
    await page.close();
  });
});
