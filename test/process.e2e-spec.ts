/**
 * The built service as it runs in production (`node dist/main.js`): start-up
 * line, configuration refusals, debug logging of rejections, graceful stop.
 */
import { connect } from 'node:net';
import { ensureBuilt, listeningPort, runService } from './support/service-process.js';

beforeAll(ensureBuilt, 120_000);

describe('node dist/main.js', () => {
  it.each([
    [{ NODE_ENV: 'production' }, 'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production'],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'http://localhost:1234' }, 'entry "http://localhost:1234" is a local origin'],
    [{ CORS_ALLOWED_ORIGINS: 'http://localhost:1234/' }, 'has a trailing slash; write it as "http://localhost:1234"'],
    [{ CORS_ALLOWED_ORIGINS: 'https://app.example.com', CORS_ALLOW_CREDENTIALS: 'maybe' }, 'CORS_ALLOW_CREDENTIALS "maybe" must be true or false'],
  ])('refuses to start with %j, exit 1 and a message naming the setting', async (env, message) => {
    const service = runService({ PORT: '0', ...env });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(message);
    expect(service.output()).not.toMatch(/\n\s+at /);
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
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(service.output()).toContain(
        `refused preflight OPTIONS /greet request=probe-42 origin="https://evil.com": origin "https://evil.com" is not in policy 'frontend'`,
      );

      // An upload in flight when SIGTERM arrives still gets its answer.
      const body = JSON.stringify({ name: 'Alice', lang: 'es' });
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /greet HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
      );
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.end(body.slice(5));
      expect(await service.exited).toBe(0);
      expect(answer).toMatch(/^HTTP\/1\.1 200/);
      expect(answer).toContain('Hola, Alice!');
    } finally {
      service.child.kill('SIGKILL');
    }
  }, 30_000);
});
