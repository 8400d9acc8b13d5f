/** Pages on origins of their own, for the browser tests to run `fetch` and `<img>` from. */
import { createServer, type Server } from 'node:http';

export { originOf } from '../../demo/static-server.js';

/** An empty page on a free port of localhost; the test writes its content. */
export async function serveEmptyPage(): Promise<Server> {
  const server = createServer((_req, res) =>
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>page</title>'),
  );
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return server;
}
