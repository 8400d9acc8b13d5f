// @ts-check
/**
 * Serves the demo page as a front end on its own origin, like the article's
 * `python -m http.server 1234`. No build step: the page is one HTML file,
 * given at each request the settings it runs with (the API it calls).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const PAGE = new URL('./index.html', import.meta.url);
/** The page's settings block, which the page reads at start-up; opened as a file, it keeps what index.html says. */
const SETTINGS_BLOCK = /(<script type="application\/json" id="demo-settings">)[^<]*(<\/script>)/;

/**
 * What the page needs to know about the demo it belongs to.
 * @typedef {object} DemoSettings
 * @property {string} api The API's origin, e.g. `http://localhost:5000`.
 * @property {string} allowedOrigin The origin of the page the API allows, for the advice the blocked page gives.
 */

/**
 * Starts serving the page on `port` of localhost (0: a free port) and resolves to the server; rejects with the
 * listen error (EADDRINUSE: the port is taken). `settings` is asked at each request, so the page learns the API's
 * address once it is known.
 * @param {number} port
 * @param {() => DemoSettings} settings
 * @returns {Promise<import('node:http').Server>}
 */
export async function servePage(port, settings) {
  const html = await readFile(PAGE, 'utf8');
  if (!SETTINGS_BLOCK.test(html)) throw new Error(`${PAGE.pathname} has no demo-settings block to fill`);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path !== '/' && path !== '/index.html') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    // `<` escaped, so that no value can close the script element.
    const json = JSON.stringify(settings()).replaceAll('<', '\\u003c');
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(html.replace(SETTINGS_BLOCK, `$1${json}$2`));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, 'localhost', () => resolve(undefined));
  });
  return server;
}

/**
 * The origin the page served by `server` has.
 * @param {import('node:http').Server} server
 */
export function originOf(server) {
  const address = server.address();
  return `http://localhost:${typeof address === 'object' && address !== null ? address.port : address}`;
}

/**
 * Stops serving: no new connections, and the ones browsers keep alive closed.
 * @param {import('node:http').Server} server
 */
export function stopServing(server) {
  server.close();
  server.closeAllConnections();
}
