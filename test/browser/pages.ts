/** Pages on origins of their own, for the browser tests to run `fetch` and `<img>` from. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An empty page on a free port of localhost; the test writes its content. */
export async function serveEmptyPage(): Promise<Server> {
  const server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>page</title>'));
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  return server;
}

/** The origin a page served by `server` has. */
export function originOf(server: Server): string {
  return `http://localhost:${(server.address() as AddressInfo).port}`;
}
