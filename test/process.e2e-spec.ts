/**
 * The built service as it runs in production (`node dist/main.js`): start-up
 * line, configuration refusals, debug logging of rejections, graceful stop.
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');

interface Running {
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

function run(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function listening(service: Running): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    const port = /Listening on http:\/\/localhost:(\d+)/.exec(service.output())?.[1];
    if (port) return Number(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`service did not start:\n${service.output()}`);
}

beforeAll(() => {
  if (!existsSync(MAIN)) {
    execSync('npm run build', { cwd: ROOT, stdio: 'ignore' });
  }
}, 120_000);

describe('node dist/main.js', () => {
  it.each([
    [{ NODE_ENV: 'production' }, 'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production'],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'http://localhost:1234' }, 'entry "http://localhost:1234" is a local origin'],
    [{ CORS_ALLOWED_ORIGINS: 'http://localhost:1234/' }, 'has a trailing slash; write it as "http://localhost:1234"'],
    [{ CORS_ALLOWED_ORIGINS: 'https://app.example.com', CORS_ALLOW_CREDENTIALS: 'maybe' }, 'CORS_ALLOW_CREDENTIALS "maybe" must be true or false'],
  ])('refuses to start with %j, exit 1 and a message naming the setting', async (env, message) => {
    const service = run({ PORT: '0', ...env });
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain(message);
    expect(service.output()).not.toMatch(/\n\s+at /);
  });

  it('logs its URL and route table, logs rejections at debug level, and stops gracefully on SIGTERM', async () => {
    const service = run({ PORT: '0', LOG_LEVEL: 'debug' });
    try {
      const port = await listening(service);
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
