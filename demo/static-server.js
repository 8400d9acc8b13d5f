// @ts-check
/**
 * Serves the demo page as a front end on its own origin, like the article's
 * `python -m http.server 1234`. No build step: the page is one HTML file.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const PAGE = new URL('./index.html', import.meta.url);

/**
 * Starts serving the page on `port` (0: a free port) and resolves to the server.
 * @param {number} port
 * @param {string} [host]
 * @returns {Promise<import('node:http').Server>}
 */
export async function servePage(port, host = 'localhost') {
  const html = await readFile(PAGE);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    if (path !== '/' && path !== '/index.html') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  return server;
}
