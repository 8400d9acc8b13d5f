// @ts-check
/**
 * Jest's Node environment, which also fails a test file that leaves a server listening or a child process running
 * after its last test, naming each one, and closes them: a run ends by itself (no `forceExit`), and a leak is a
 * failure that says where it is, not a hang after the report nor a silent forced exit. Connections kept alive after
 * the last request are not counted: they close by themselves.
 */
import { ChildProcess } from 'node:child_process';
import { Server } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestEnvironment } from 'jest-environment-node';

/** How long a close or a kill still under way may take before what it closes counts as left open. */
const SETTLE_MS = 2_000;

/** What keeps the process alive. Node's own list, undocumented but stable since Node 0.x; no public API names handles. */
function activeHandles() {
  return /** @type {{ _getActiveHandles(): unknown[] }} */ (/** @type {unknown} */ (process))._getActiveHandles();
}

/** @returns {Array<Server | ChildProcess>} */
function leftOpen() {
  return activeHandles().filter(
    /** @returns {handle is Server | ChildProcess} */
    (handle) =>
      (handle instanceof Server && handle.listening) ||
      (handle instanceof ChildProcess && handle.exitCode === null && handle.signalCode === null),
  );
}

/** @param {Server | ChildProcess} handle */
function nameOf(handle) {
  if (handle instanceof ChildProcess) return `a child process (pid ${handle.pid}: ${handle.spawnargs.join(' ')})`;
  const address = handle.address();
  return `a server listening on ${typeof address === 'string' ? address : `port ${address?.port}`}`;
}

/** @param {Server | ChildProcess} handle */
function close(handle) {
  if (handle instanceof ChildProcess) {
    handle.kill('SIGKILL');
    return;
  }
  handle.close();
  // An HTTP server's open connections would keep the process alive after it stops listening.
  if ('closeAllConnections' in handle && typeof handle.closeAllConnections === 'function') handle.closeAllConnections();
}

export default class OpenHandlesEnvironment extends TestEnvironment {
  /**
   * Once the file's tests and hooks have all run, what is still open is the file's: reported as an error of the file,
   * beside its tests' own results.
   * @param {import('@jest/types').Circus.AsyncEvent} event
   * @param {import('@jest/types').Circus.State} state
   */
  async handleTestEvent(event, state) {
    if (event.name !== 'run_finish') return;
    const deadline = Date.now() + SETTLE_MS;
    let open = leftOpen();
    while (open.length > 0 && Date.now() < deadline) {
      await sleep(50);
      open = leftOpen();
    }
    if (open.length === 0) return;
    state.unhandledErrors.push(new Error(`left ${open.map(nameOf).join(', ')} after its last test (closed now)`));
    open.forEach(close);
  }
}
