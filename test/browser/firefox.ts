/**
 * Debian's Firefox ESR driven over WebDriver BiDi by puppeteer-core, which
 * never downloads a browser (install with PUPPETEER_SKIP_DOWNLOAD=1 all the same).
 */
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { type BrowserEngine, type BrowserPage, type EngineDescription, VIEWPORT } from './engine.js';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

async function launchFirefox(): Promise<BrowserEngine> {
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(
      `Firefox not found at ${FIREFOX_PATH}. The Firefox browser tests need Debian's Firefox ESR: ` +
        'run `apt-get install -y firefox-esr` (as root), or set FIREFOX_PATH to a Firefox binary.',
    );
  }
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
  });
  return {
    async openPage(url) {
      // A BiDi user context: its own cookie jar and preflight cache.
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      await page.setViewport(VIEWPORT);
      const console: string[] = [];
      page.on('console', (message) => console.push(message.text()));
      // Firefox reports a CORS refusal as a script error (a BiDi log entry of type "javascript"), which puppeteer
      // calls 'pageerror', not as a console message.
      page.on('pageerror', (error) => console.push(error instanceof Error ? error.message : String(error)));
      await page.goto(url);
      const opened: BrowserPage = {
        fill: (selector, value) => page.locator(selector).fill(value),
        select: async (selector, value) => void (await page.select(selector, value)),
        click: (selector) => page.click(selector),
        waitFor: async (selector) => void (await page.waitForSelector(selector)),
        text: (selector) => page.$eval(selector, (element) => element.textContent ?? ''),
        // The page gets the argument as JSON; the suites pass plain data.
        evaluate: <A, R>(run: (arg: A) => Promise<R>, arg: A) =>
          page.evaluate(run as (arg: unknown) => Promise<R>, arg) as Promise<R>,
        consoleText: () => console.join('\n'),
        screenshot: async (path) => void (await page.screenshot({ path })),
        close: () => context.close(),
      };
      return opened;
    },
    close: () => browser.close(),
  };
}

export const firefoxEngine: EngineDescription = {
  name: 'firefox',
  console: { corsBlocked: /Cross-Origin Request Blocked/, credentialsRefused: /Access-Control-Allow-Credentials/ },
  launch: launchFirefox,
};
