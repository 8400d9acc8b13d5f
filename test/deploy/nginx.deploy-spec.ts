/**
 * Several instances behind nginx with a shared cache (issue 7): two built
 * instances and nginx (deploy/nginx.conf.template) on loopback ports. A
 * cached answer must never cross origins, preflights bypass the cache,
 * request ids stay unique, and stopping one instance during traffic loses no
 * request: neither through the template (whose retry of reset POSTs is the
 * safety net) nor through the same template without that retry, which shows
 * the instance's own behaviour.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Nginx, NGINX, startNginx } from '../support/nginx.js';
import { pollUntil } from '../support/poll.js';
import { keepAliveAgent, type Received, send, type Sent } from '../support/http-client.js';
import { listeningPort, runService, type ServiceProcess } from '../support/service-process.js';

const ORIGIN_A = 'https://app.example.com';
const ORIGIN_B = 'https://shop.example.com';
const EVIL = 'https://evil.example.net';

let instances: ServiceProcess[] = [];
/** The template as shipped. */
let nginx: Nginx | undefined;
/** The same template without the retry of POSTs an instance was sent (non_idempotent): the instance's own behaviour. */
let nginxWithoutRetry: Nginx | undefined;
let port = 0;
const figures = { requests: 0, cacheHits: 0, errors: 0 };

const RETRY = 'proxy_next_upstream error timeout http_502 http_503 non_idempotent;';

interface LoggedRequest {
  readonly id: string;
  readonly method: string;
  readonly status: number;
  readonly cache: string;
  /** Every instance tried, in order, with its status and the bytes nginx sent it. */
  readonly attempts: ReadonlyArray<{ readonly upstream: string; readonly status: string; readonly sent: number }>;
}

/** nginx's access log (the template's `upstreams` format), one entry per request. */
function accessLog(server: Nginx): LoggedRequest[] {
  const path = join(server.runDir, 'access.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [id = '', method = '', , status = '0'] = line.split(' ');
      const field = (key: string) => new RegExp(`${key}=(.*?)(?: \\w+=|$)`).exec(line)?.[1] ?? '';
      const upstreams = field('upstream').split(', ');
      const statuses = field('upstream_status').split(', ');
      const sent = field('upstream_sent').split(', ');
      return {
        id,
        method,
        status: Number(status),
        cache: field('cache'),
        attempts: upstreams.map((upstream, i) => ({ upstream, status: statuses[i] ?? '', sent: Number(sent[i] ?? 0) })),
      };
    });
}

/**
 * nginx writes a request's log line after it has sent the answer, so a client
 * may read the answer before the line is there: wait (up to 5 s) until the
 * log holds what the test needs.
 */
async function settledAccessLog(server: Nginx, complete: (log: LoggedRequest[]) => boolean): Promise<LoggedRequest[]> {
  await pollUntil(() => complete(accessLog(server)));
  return accessLog(server);
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
  through({
    method: 'OPTIONS',
    path: '/greet',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  });
const acao = (answer: Received) => answer.headers['access-control-allow-origin'];

beforeAll(async () => {
  if (!existsSync(NGINX)) {
    throw new Error(
      `nginx not found at ${NGINX}: install it with \`apt-get install -y nginx\` (as root), or set NGINX_PATH.`,
    );
  }
  // Debug logging: each refused request is logged with its id, so the stop test can tell which requests an instance read.
  const env = {
    PORT: '0',
    NODE_ENV: 'production',
    CORS_ALLOWED_ORIGINS: `${ORIGIN_A},${ORIGIN_B}`,
    TRUST_PROXY: 'loopback',
    LOG_LEVEL: 'debug',
  };
  instances = [runService(env), runService(env)];
  const ports = await Promise.all(instances.map(listeningPort));
  nginx = await startNginx(ports, 'template');
  port = nginx.port;
  nginxWithoutRetry = await startNginx(ports, 'no-retry', (config) => {
    if (!config.includes(RETRY)) throw new Error(`the template no longer says "${RETRY}": update this test`);
    return config.replace(RETRY, 'proxy_next_upstream error timeout http_502 http_503;');
  });
}, 120_000);

afterAll(async () => {
  console.log(`through nginx: ${JSON.stringify(figures)}`);
  for (const server of [nginx, nginxWithoutRetry]) server?.process.kill('SIGQUIT');
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
    expect((JSON.parse(again.body) as { greeting: string }).greeting).toBe('Hola, Alice!');

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

  // nginx caches GET and HEAD only (proxy_cache_methods), so no preflight answer is ever cached: each one is
  // answered by an instance. Were preflights cached, Vary would have to key them (the API sends it).
  it('never serves a refused preflight to an allowed origin: preflights bypass the cache', async () => {
    const answers: Received[] = [];
    for (let i = 0; i < 3; i += 1) {
      const refused = await preflight(EVIL);
      const allowed = await preflight(ORIGIN_A);
      expect(refused.status).toBe(403);
      expect(acao(refused)).toBeUndefined();
      expect(allowed.status).toBe(204);
      expect(acao(allowed)).toBe(ORIGIN_A);
      answers.push(refused, allowed);
    }
    expect(answers.map((a) => a.headers['x-cache-status'])).toEqual(answers.map(() => undefined));
    const ids = answers.map((answer) => String(answer.headers['x-request-id']));
    const log = await settledAccessLog(nginx as Nginx, (entries) =>
      ids.every((id) => entries.some((entry) => entry.id === id)),
    );
    const logged = new Map(log.map((entry) => [entry.id, entry]));
    for (const answer of answers) {
      const entry = logged.get(String(answer.headers['x-request-id']));
      expect(entry?.method).toBe('OPTIONS');
      expect(entry?.cache).toBe('-');
      expect(entry?.attempts[0]?.upstream).toMatch(/^127\.0\.0\.1:\d+$/);
    }
  });

  it("shares the public '*' route between origins", async () => {
    const answers = [
      await get('/greet/languages', ORIGIN_A),
      await get('/greet/languages', EVIL),
      await get('/greet/languages'),
    ];
    expect(answers.map(acao)).toEqual(['*', '*', '*']);
    expect(answers.slice(1).every((a) => a.headers['x-cache-status'] === 'HIT')).toBe(true);
  });

  it('gives every request its own id, cache hits included', async () => {
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0 ? get('/greet/languages', ORIGIN_A) : get(`/greet?name=n${i % 10}`, ORIGIN_B),
      ),
    );
    const ids = new Set(answers.map((a) => a.headers['x-request-id']));
    expect(answers.some((a) => a.headers['x-cache-status'] === 'HIT')).toBe(true);
    expect(ids.size).toBe(200);
  });
});

describe('stopping one instance during traffic', () => {
  /**
   * Traffic goes through the template and through the template without the
   * retry of POSTs already sent (non_idempotent). It comes from an origin the
   * policy refuses, so the instance logs every request it reads, with the id
   * nginx gave it: a request nginx sent to the stopping instance and got no
   * answer for is then either unread (still in the kernel's accept queue when
   * the listener closed: reset unread, what the template's retry is for) or
   * read and dropped, which the instance must never do.
   */
  it('loses no request: the instance answers every request it read; the retry only replays unread ones', async () => {
    const fronts = { template: nginx as Nginx, withoutRetry: nginxWithoutRetry as Nginx };
    const agents = { template: keepAliveAgent(4), withoutRetry: keepAliveAgent(4) };
    const outcomes = { template: { ok: 0, failed: 0 }, withoutRetry: { ok: 0, failed: 0 } };
    let sending = true;
    const body = JSON.stringify({ name: 'Alice', lang: 'es' });
    const worker = async (front: keyof typeof fronts) => {
      while (sending) {
        const answer = await send(
          fronts[front].port,
          { method: 'POST', path: '/greet', headers: { origin: EVIL, 'content-type': 'application/json' }, body },
          agents[front],
        ).catch(() => undefined);
        figures.requests += 1;
        if (answer?.status === 200 && acao(answer) === undefined && answer.body.includes('Hola, Alice!'))
          outcomes[front].ok += 1;
        else {
          outcomes[front].failed += 1;
          figures.errors += 1;
        }
      }
    };
    const workers = [
      ...Array.from({ length: 4 }, () => worker('template')),
      ...Array.from({ length: 4 }, () => worker('withoutRetry')),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const stopped = instances[0];
    stopped.child.kill('SIGTERM');
    const code = await stopped.exited;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sending = false;
    await Promise.all(workers);
    for (const agent of Object.values(agents)) agent.destroy();

    // From nginx's log: POSTs sent to an instance that gave no answer (the retried ones, and the failed ones without retry).
    const posts = (log: LoggedRequest[]) => log.filter((entry) => entry.method === 'POST').length;
    const logs = {
      template: await settledAccessLog(
        fronts.template,
        (log) => posts(log) >= outcomes.template.ok + outcomes.template.failed,
      ),
      withoutRetry: await settledAccessLog(
        fronts.withoutRetry,
        (log) => posts(log) >= outcomes.withoutRetry.ok + outcomes.withoutRetry.failed,
      ),
    };
    const unanswered = (front: keyof typeof logs) =>
      logs[front].filter(
        (entry) => entry.method === 'POST' && (entry.attempts[0]?.sent ?? 0) > 0 && entry.attempts[0]?.status === '502',
      );
    const readByInstance = (entry: LoggedRequest) => stopped.output().includes(`request=${entry.id} `);
    const template = unanswered('template');
    const withoutRetry = unanswered('withoutRetry');
    console.log(
      `SIGTERM behind nginx: ${JSON.stringify(outcomes)}, stopped instance exit code ${String(code)}; POSTs sent to the ` +
        `stopping instance without an answer (reset unread in its accept queue): ${template.length} through the template ` +
        `(replayed on the other instance), ${withoutRetry.length} without the retry (failed)`,
    );
    expect(code).toBe(0);
    expect(stopped.output()).toMatch(/refused actual POST \/greet request=[0-9a-f]{32} /);
    expect(outcomes.template).toEqual({ ok: outcomes.template.ok, failed: 0 });
    expect(outcomes.template.ok).toBeGreaterThan(0);
    expect(outcomes.withoutRetry.ok).toBeGreaterThan(0);
    // The instance itself dropped nothing it had read: every unanswered request is one it never read.
    expect([...template, ...withoutRetry].filter(readByInstance).map((entry) => entry.id)).toEqual([]);
    // Without the retry, the only failures are those unread requests.
    expect(outcomes.withoutRetry.failed).toBe(withoutRetry.length);
  }, 30_000);
});
