/**
 * Several instances behind nginx with a shared cache (issue 7): two built
 * instances and nginx (deploy/nginx.conf.template) on loopback ports. A
 * cached answer must never cross origins, a refused preflight must never be
 * served to an allowed origin, request ids stay unique, and stopping one
 * instance during traffic loses no request.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keepAliveAgent, type Received, send, type Sent } from '../support/http-client.js';
import { ensureBuilt, listeningPort, ROOT, runService, type ServiceProcess } from '../support/service-process.js';

const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
const ORIGIN_A = 'https://app.example.com';
const ORIGIN_B = 'https://shop.example.com';
const EVIL = 'https://evil.example.net';

let instances: ServiceProcess[] = [];
let nginx: ChildProcess | undefined;
let port = 0;
const figures = { requests: 0, cacheHits: 0, errors: 0 };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: free } = server.address() as { port: number };
      server.close(() => resolve(free));
    });
  });
}

async function through(sent: Sent): Promise<Received> {
  const answer = await send(port, sent);
  figures.requests += 1;
  if (answer.headers['x-cache-status'] === 'HIT') figures.cacheHits += 1;
  if (answer.status >= 500) figures.errors += 1;
  return answer;
}

const get = (path: string, origin?: string) => through({ method: 'GET', path, headers: origin ? { origin } : {} });
const preflight = (origin: string) =>
  through({ method: 'OPTIONS', path: '/greet', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
const acao = (answer: Received) => answer.headers['access-control-allow-origin'];

beforeAll(async () => {
  if (!existsSync(NGINX)) {
    throw new Error(`nginx not found at ${NGINX}: install it with \`apt-get install -y nginx\` (as root), or set NGINX_PATH.`);
  }
  ensureBuilt();
  const env = { PORT: '0', NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: `${ORIGIN_A},${ORIGIN_B}`, TRUST_PROXY: 'loopback' };
  instances = [runService(env), runService(env)];
  const ports = await Promise.all(instances.map(listeningPort));
  port = await freePort();
  const runDir = mkdtempSync(join(tmpdir(), 'nginx-'));
  mkdirSync(join(runDir, 'cache'));
  const config = readFileSync(join(ROOT, 'deploy', 'nginx.conf.template'), 'utf8')
    .replaceAll('${API_UPSTREAMS}', ports.map((p) => `server 127.0.0.1:${p};`).join('\n        '))
    .replaceAll('${LISTEN}', `127.0.0.1:${port}`)
    .replaceAll('${RUN_DIR}', runDir)
    .replaceAll('${CACHE_DIR}', join(runDir, 'cache'));
  const configFile = join(runDir, 'nginx.conf');
  writeFileSync(configFile, config);
  // As root, nginx's workers would switch to "nobody", who cannot use this private directory.
  const asRoot = process.getuid?.() === 0 ? ' user root;' : '';
  execFileSync(NGINX, ['-t', '-q', '-p', runDir, '-c', configFile, '-g', `daemon off;${asRoot}`]);
  nginx = spawn(NGINX, ['-p', runDir, '-c', configFile, '-g', `daemon off;${asRoot}`], { stdio: 'ignore' });
  for (let i = 0; i < 100; i += 1) {
    if (await send(port, { method: 'GET', path: '/health' }).then((a) => a.status === 200, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nginx did not start:\n${readFileSync(join(runDir, 'error.log'), 'utf8')}`);
}, 120_000);

afterAll(async () => {
  console.log(`through nginx: ${JSON.stringify(figures)}`);
  nginx?.kill('SIGQUIT');
  for (const instance of instances) instance.child.kill('SIGKILL');
  await Promise.all(instances.map((i) => i.exited));
});

describe('a shared cache in front of two instances', () => {
  it("never serves one origin's cached answer to another origin or to a request without Origin", async () => {
    const path = '/greet?name=Alice&lang=es';
    const first = await get(path, ORIGIN_A);
    const again = await get(path, ORIGIN_A);
    expect(acao(first)).toBe(ORIGIN_A);
    expect(again.headers['x-cache-status']).toBe('HIT');
    expect(acao(again)).toBe(ORIGIN_A);
    expect(JSON.parse(again.body).greeting).toBe('Hola, Alice!');

    const other = await get(path, ORIGIN_B);
    expect(acao(other)).toBe(ORIGIN_B);
    const evil = await get(path, EVIL);
    const none = await get(path);
    for (const answer of [evil, none]) {
      expect(acao(answer)).toBeUndefined();
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    }
    expect(first.headers.vary).toBe('Origin');
    expect(acao(await get(path, ORIGIN_A))).toBe(ORIGIN_A);
    expect(acao(await get(path, EVIL))).toBeUndefined();
  });

  it('never serves a refused preflight to an allowed origin', async () => {
    for (let i = 0; i < 3; i += 1) {
      const refused = await preflight(EVIL);
      const allowed = await preflight(ORIGIN_A);
      expect(refused.status).toBe(403);
      expect(acao(refused)).toBeUndefined();
      expect(allowed.status).toBe(204);
      expect(acao(allowed)).toBe(ORIGIN_A);
    }
  });

  it("shares the public '*' route between origins", async () => {
    const answers = [await get('/greet/languages', ORIGIN_A), await get('/greet/languages', EVIL), await get('/greet/languages')];
    expect(answers.map(acao)).toEqual(['*', '*', '*']);
    expect(answers.slice(1).every((a) => a.headers['x-cache-status'] === 'HIT')).toBe(true);
  });

  it('gives every request its own id, cache hits included', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? get('/greet/languages', ORIGIN_A) : get(`/greet?name=n${i % 10}`, ORIGIN_B))),
    );
    const ids = new Set(answers.map((a) => a.headers['x-request-id']));
    expect(answers.some((a) => a.headers['x-cache-status'] === 'HIT')).toBe(true);
    expect(ids.size).toBe(200);
  });
});

describe('stopping one instance during traffic', () => {
  it('loses no request: in-flight ones finish, new ones go to the other instance', async () => {
    const agent = keepAliveAgent(8);
    const outcomes = { ok: 0, failed: 0 };
    let sending = true;
    const body = JSON.stringify({ name: 'Alice', lang: 'es' });
    const worker = async () => {
      while (sending) {
        const answer = await send(port, { method: 'POST', path: '/greet', headers: { origin: ORIGIN_A, 'content-type': 'application/json' }, body }, agent).catch(() => undefined);
        figures.requests += 1;
        if (answer?.status === 200 && acao(answer) === ORIGIN_A) outcomes.ok += 1;
        else {
          outcomes.failed += 1;
          figures.errors += 1;
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stopped = instances[0] as ServiceProcess;
    stopped.child.kill('SIGTERM');
    const code = await stopped.exited;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sending = false;
    await Promise.all(workers);
    agent.destroy();
    console.log(`SIGTERM behind nginx: ${JSON.stringify(outcomes)}, stopped instance exit code ${String(code)}`);
    expect(code).toBe(0);
    expect(outcomes.failed).toBe(0);
    expect(outcomes.ok).toBeGreaterThan(0);
  }, 30_000);
});
