/**
 * One interface over the three browser engines Debian ships, so that the
 * browser suites run the same `describe` in each: Chromium (playwright-core),
 * Firefox ESR (puppeteer-core over WebDriver BiDi) and WebKit
 * (WebKitWebDriver, plain WebDriver over HTTP). Each engine lives in its own
 * small file; `jest.browser.config.js` runs every suite once per engine and
 * platform, and `engine-under-test.ts` tells a suite which.
 */
export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** What a response looked like in the developer tools' network tab, preflights included. */
export interface SeenResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** A page in a fresh browser profile: empty preflight cache, empty cookie jar. */
export interface BrowserPage {
  fill(selector: string, value: string): Promise<void>;
  select(selector: string, value: string): Promise<void>;
  click(selector: string): Promise<void>;
  /** Waits until an element matches `selector`. */
  waitFor(selector: string): Promise<void>;
  /** The element's `textContent` ('' when it has none). */
  text(selector: string): Promise<string>;
  /** Runs `run(arg)` in the page; `run` must be self-contained (only its source reaches the page). */
  evaluate<A, R>(run: (arg: A) => Promise<R>, arg: A): Promise<R>;
  /** What the engine wrote to the page's console so far, its own messages (CORS errors) included. */
  consoleText(): string;
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

/** How an engine words what the suites assert; each engine says it its own way. */
export interface ConsoleWording {
  /** A read refused by CORS (origin not allowed, header not allowed). */
  readonly corsBlocked: RegExp;
  /** A credentialed read refused because the answer does not allow credentials. */
  readonly credentialsRefused: RegExp;
}

/** An engine before it runs: its name, what its console says, how to start it. */
export interface EngineDescription {
  readonly name: EngineName;
  /** What this engine's console says when CORS refuses a read. */
  readonly console: ConsoleWording;
  launch(): Promise<BrowserEngine>;
}

/** A running engine. */
export interface BrowserEngine {
  /** Opens `url` in a fresh profile. */
  openPage(url: string): Promise<BrowserPage>;
  /**
   * Opens `url` and records every response the network tab shows, preflights included; only engines whose driver
   * exposes them (undefined elsewhere).
   */
  readonly openPageWatchingResponses?: (url: string) => Promise<{ page: BrowserPage; responses: SeenResponse[] }>;
  close(): Promise<void>;
}

/**
 * The demo page's screenshots: 900 wide, and tall enough to show what happened and the advice the page gives (its
 * explanation ends at 811 px in Chromium once a greeting was refused). Not the whole page: WebKit's driver under Xvfb
 * never answered a screenshot of a window 1,100 px tall or more.
 */
export const VIEWPORT = { width: 900, height: 1000 } as const;
