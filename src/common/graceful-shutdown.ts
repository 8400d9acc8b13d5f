import type { Server } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { INestApplication } from '@nestjs/common';

/** How long without a new request before the connections still open are closed. */
const QUIET_MS = 200;
/** The longest the drain may last before closing anyway. */
const MAX_DRAIN_MS = 10_000;

/**
 * Stops the service without losing a request:
 * 1. stop accepting connections, but keep the ones already accepted. Node's
 *    `http.Server.close()` would also drop connections whose request is not
 *    parsed yet, which a proxy sees as a reset after sending its request;
 * 2. answer what still arrives on open connections with `Connection: close`,
 *    so keep-alive clients reconnect elsewhere, until no request has come for
 *    a moment;
 * 3. close the application: Nest waits for the requests in flight.
 */
export async function stopGracefully(app: INestApplication): Promise<void> {
  const server = app.getHttpServer() as Server;
  NetServer.prototype.close.call(server);
  let lastRequest = Date.now();
  server.on('request', (_req, res) => {
    lastRequest = Date.now();
    res.setHeader('Connection', 'close');
  });
  const deadline = Date.now() + MAX_DRAIN_MS;
  while (Date.now() - lastRequest < QUIET_MS && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS / 4));
  }
  await app.close();
}
