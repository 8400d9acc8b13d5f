/**
 * The engine a browser suite runs in: each jest project of
 * `jest.browser.config.js` sets the `BROWSER_ENGINE` global (Chromium outside
 * a project).
 */
import { chromiumEngine } from './chromium.js';
import type { ConsoleWording, EngineDescription } from './engine.js';
import { firefoxEngine } from './firefox.js';
import { webkitEngine } from './webkit.js';

const ENGINES: readonly EngineDescription[] = [chromiumEngine, firefoxEngine, webkitEngine];

function engineUnderTest(): EngineDescription {
  const name: unknown = (globalThis as { BROWSER_ENGINE?: unknown }).BROWSER_ENGINE ?? 'chromium';
  const engine = ENGINES.find((candidate) => candidate.name === name);
  if (engine === undefined) throw new Error(`unknown BROWSER_ENGINE global ${String(name)}`);
  return engine;
}

export const ENGINE = engineUnderTest();

/**
 * `it` for a test that reads the console, skipped (its name saying why) in an engine whose driver cannot; the test
 * gets the engine's wording.
 */
export function itReadingConsole(name: string, test: (wording: ConsoleWording) => Promise<void>): void {
  const wording = ENGINE.console;
  if ('unreadable' in wording) it.skip(`${name} (not in ${ENGINE.name}: ${wording.unreadable})`, async () => undefined);
  else it(name, () => test(wording));
}
