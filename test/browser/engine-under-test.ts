/**
 * The engine a browser suite runs in: each jest project of
 * `jest.browser.config.js` sets the `BROWSER_ENGINE` global (Chromium outside
 * a project).
 */
import { chromiumEngine } from './chromium.js';
import type { EngineDescription } from './engine.js';
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
