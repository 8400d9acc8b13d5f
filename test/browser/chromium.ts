/** Debian's Chromium driven by playwright-core: no browser download, ever. */
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type BrowserEngine, type BrowserPage, type EngineDescription, type SeenResponse, VIEWPORT } from './engine.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The bare playwright browser, for the Chromium-only suites. */
export async function launchChromiumBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. The browser tests need Debian's Chromium: ` +
        'run `apt-get install -y chromium` (as root), or set CHROMIUM_PATH to a Chromium binary.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // Root in a container needs --no-sandbox; the rest keeps Chromium off a network this machine does not have.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function pageOf(context: BrowserContext, page: Page): BrowserPage {
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  return {
    fill: (selector, value) => page.fill(selector, value),
    select: async (selector, value) => void (await page.selectOption(selector, value)),
    click: (selector) => page.click(selector),
    waitFor: async (selector) => void (await page.waitForSelector(selector)),
    text: async (selector) => (await page.textContent(selector)) ?? '',
    // The page gets the argument as JSON; the suites pass plain data.
    evaluate: <A, R>(run: (arg: A) => Promise<R>, arg: A) =>
      page.evaluate(run as (arg: unknown) => Promise<R>, arg as unknown),
    consoleText: () => console.join('\n'),
    screenshot: async (path) => void (await page.screenshot({ path })),
    close: () => context.close(),
  };
}

async function launchChromium(): Promise<BrowserEngine> {
  const browser = await launchChromiumBrowser();
  const open = async (url: string, responses?: SeenResponse[]): Promise<BrowserPage> => {
    const context = await browser.newContext({ viewport: VIEWPORT });
    const page = await context.newPage();
    const opened = pageOf(context, page);
    if (responses) {
      // The DevTools protocol reports preflights too, with the headers the network tab shows.
      const devtools = await context.newCDPSession(page);
      devtools.on('Network.responseReceivedExtraInfo', (event) =>
        responses.push({ status: event.statusCode, headers: event.headers }),
      );
      await devtools.send('Network.enable');
    }
    await page.goto(url);
    return opened;
  };
  return {
    openPage: (url) => open(url),
    openPageWatchingResponses: async (url) => {
      const responses: SeenResponse[] = [];
      return { page: await open(url, responses), responses };
    },
    close: () => browser.close(),
  };
}

export const chromiumEngine: EngineDescription = {
  name: 'chromium',
  console: { corsBlocked: /blocked by CORS policy/, credentialsRefused: /Access-Control-Allow-Credentials/ },
  launch: launchChromium,
};
