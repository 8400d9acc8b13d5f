/**
 * The built service as it runs in production (`node dist/main.js`): start-up
 * line, configuration refusals, debug logging of rejections, graceful stop.
 */
import { type AddressInfo, connect, createServer } from 'node:net';
import { pollUntil } from './support/poll.js';
import { listeningPort, runService } from './support/service-process.js';

/** Polls `check` every 10 ms until it holds; fails after `deadlineMs` naming what it waited for. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 5_000): Promise<void> {
  if (!(await pollUntil(check, deadlineMs, 10))) throw new Error(`waited ${deadlineMs} ms for ${what}`);
}

/** Whether a new TCP connection to the port is refused (the server stopped listening). */
function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(port, '127.0.0.1');
    probe.once('connect', () => {
      probe.destroy();
      resolve(false);
    });
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('node dist/main.js', () => {
  it.each([
    [{ NODE_ENV: 'production' }, 'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production'],
    [
      { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'http://localhost:1234' },
      'entry "http://localhost:1234" is a local origin',
    ],
    [{ CORS_ALLOWED_ORIGINS: 'http://localhost:1234/' }, 'has a trailing slash; write it as "http://localhost:1234"'],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com', CORS_ALLOW_CREDENTIALS: 'maybe' },
      'CORS_ALLOW_CREDENTIALS "maybe" must be true or false',
    ],
  ])('refuses to start with %j, exit 1 and a message naming the setting', async (env, message) => {
    const service = runService({ PORT: '0', ...env });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(message);
    expect(service.output()).not.toMatch(/\n\s+at /);
  });

  it('refuses a port in use with one line naming PORT and how to set it, exit 1, before anything says it started', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      const service = runService({ PORT: String(port) });
      expect(await service.exited).toBe(1);
      expect(service.output().trim()).toBe(
        `PORT ${port} is already in use; set PORT to a free port, e.g. PORT=${port + 1} npm start`,
      );
    } finally {
      taken.close();
    }
  });

  it('refuses a HOST that does not resolve with one line naming it, exit 1', async () => {
    const service = runService({ PORT: '0', HOST: 'nope.invalid' });
    expect(await service.exited).toBe(1);
    expect(service.output().trim()).toBe(
      'HOST "nope.invalid" does not resolve to an address of this machine; set HOST to one (e.g. 127.0.0.1) or leave it unset',
    );
  });

  it('logs its URL and route table, logs rejections at debug level, and stops gracefully on SIGTERM', async () => {
    const service = runService({ PORT: '0', LOG_LEVEL: 'debug' });
    try {
      const port = await listeningPort(service);
      expect(service.output()).toMatch(/POST\s+\/greet\s+frontend/);
      const base = `http://127.0.0.1:${port}`;
      const refused = await fetch(`${base}/greet`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.com', 'Access-Control-Request-Method': 'POST', 'X-Request-Id': 'probe-42' },
      });
      expect(refused.status).toBe(403);
      await waitFor(() => service.output().includes('request=probe-42'), 'the debug line of the refusal');
      expect(service.output()).toContain(
        `refused preflight POST /greet request=probe-42 origin="https://evil.com": origin "https://evil.com" is not in policy 'frontend'`,
      );

      // An upload in flight when SIGTERM arrives still gets its answer. In flight is proven, not assumed:
      // the server answers "100 Continue" only once it has accepted the connection and parsed the headers.
      const body = JSON.stringify({ name: 'Alice', lang: 'es' });
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.write(
        `POST /greet HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n${body.slice(0, 5)}`,
      );
      await waitFor(() => answer.startsWith('HTTP/1.1 100 Continue'), 'the 100 Continue of the upload');
      service.child.kill('SIGTERM');
      // Stopping, proven twice: the shutdown line is logged, and a new connection is refused.
      await waitFor(
        () => service.output().includes('SIGTERM received: finishing in-flight requests'),
        'the shutdown line',
      );
      await waitFor(() => connectionRefused(port), 'a new connection to be refused');
      expect(answer).not.toContain('HTTP/1.1 200');
      socket.end(body.slice(5));
      expect(await service.exited).toBe(0);
      expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200/);
      expect(answer).toContain('Hola, Alice!');
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 30_000);
});
