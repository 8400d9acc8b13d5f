/**
 * Run-time policy changes across instances through Redis (issue 35): three
 * instances of an application using `redisPolicySync` (sync-instance.js, on
 * the built package) behind nginx (deploy/nginx.conf.template), and a real
 * redis-server. 100 changes made on one instance, each seen by every
 * instance within 1 s (the contract), polled through nginx with a header that
 * pins the upstream; Redis stopped and restarted (empty) mid-run, and one
 * instance restarted while it is down. Traffic through nginx meanwhile gets
 * no 5xx. The measured convergence times are printed (README: "Tests").
 */
import { join } from 'node:path';
import { freePort } from '../support/free-port.js';
import { send } from '../support/http-client.js';
import { type Nginx, startNginx } from '../support/nginx.js';
import { pollUntil } from '../support/poll.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { listeningPort, ROOT, runNodeScript, type ServiceProcess } from '../support/service-process.js';

const INSTANCE_SCRIPT = join(ROOT, 'test', 'deploy', 'sync-instance.js');
const TRIALS = 100;
/** The issue's bound: a change is seen by every instance within a second. */
const CONVERGENCE_BOUND_MS = 1_000;
/** How long a trial polls before it counts as not converged: generous, so that a miss is measured, not cut short. */
const POLL_DEADLINE_MS = 5_000;
const PIN = 'x-pin-instance';
/** In every version's allowlist: the background traffic's origin, allowed throughout. */
const PARTNER = 'https://partner.example';
const PROXY_PASS = 'proxy_pass http://greet_api;';

let redis: RedisServer | undefined;
let nginx: Nginx | undefined;
const ports: number[] = [];
const instances: ServiceProcess[] = [];
/** Every answer of the traffic and the polls through nginx, by status class. */
const statuses = new Map<number, number>();
let changesMade = 0;

function startInstance(index: number): ServiceProcess {
  const instance = runNodeScript(INSTANCE_SCRIPT, { PORT: String(ports[index]), REDIS_PORT: String(redis?.port) });
  instances[index] = instance;
  return instance;
}

async function stopInstance(index: number): Promise<void> {
  const instance = instances[index];
  instance?.child.kill('SIGTERM');
  await instance?.exited;
}

/** nginx with one upstream per instance beside the shared one: `X-Pin-Instance: i` sends a request to instance i. */
function pinnedUpstreams(config: string): string {
  if (!config.includes(PROXY_PASS)) throw new Error(`the template no longer says "${PROXY_PASS}": update this test`);
  const upstreams = ports.map((port, i) => `upstream instance_${i} { server 127.0.0.1:${port}; }`).join('\n    ');
  const map = `map $http_${PIN.replaceAll('-', '_')} $api_upstream {\n        default greet_api;\n${ports
    .map((_, i) => `        ${i} instance_${i};`)
    .join('\n')}\n    }`;
  return config
    .replace('    server {', `    ${upstreams}\n    ${map}\n\n    server {`)
    .replace(PROXY_PASS, 'proxy_pass http://$api_upstream;');
}

async function throughNginx(method: string, path: string, headers: Record<string, string>, body?: string) {
  const answer = await send((nginx as Nginx).port, { method, path, headers, body });
  const kind = Math.floor(answer.status / 100) * 100;
  statuses.set(kind, (statuses.get(kind) ?? 0) + 1);
  return answer;
}

/** Whether instance `index` allows `origin` now, asked through nginx. */
async function allows(index: number, origin: string): Promise<boolean> {
  const answer = await throughNginx('OPTIONS', '/partners', {
    [PIN]: String(index),
    origin,
    'access-control-request-method': 'PUT',
  });
  return answer.status === 204 && answer.headers['access-control-allow-origin'] === origin;
}

async function version(index: number): Promise<{ number: number; source: string; configuration: string }> {
  const answer = await throughNginx('GET', '/admin/version', { [PIN]: String(index) });
  return JSON.parse(answer.body) as { number: number; source: string; configuration: string };
}

/** Replaces `partners` through instance 0: its origins become PARTNER and `origin`. Not counted as traffic: it may be refused with 503. */
function change(origin: string) {
  changesMade += 1;
  return send((nginx as Nginx).port, {
    method: 'PUT',
    path: '/admin/partners',
    headers: { [PIN]: '0', 'content-type': 'application/json' },
    body: JSON.stringify({ origins: [PARTNER, origin] }),
  });
}

/** One change made on instance 0, and the milliseconds until every instance allows the new origin (undefined: never). */
async function trial(): Promise<number | undefined> {
  const origin = `https://partner-${changesMade + 1}.example`;
  const started = performance.now();
  const answer = await change(origin);
  if (answer.status !== 200) throw new Error(`change ${changesMade} failed: ${answer.status} ${answer.body}`);
  const seen = await Promise.all(
    ports.map(async (_, index) => {
      const converged = await pollUntil(() => allows(index, origin), POLL_DEADLINE_MS, 5);
      return converged ? performance.now() - started : undefined;
    }),
  );
  return seen.some((ms) => ms === undefined) ? undefined : Math.max(...(seen as number[]));
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** What the background traffic got: allowed (204 or 200 with the partner's Access-Control-Allow-Origin), or not. */
const background = { allowed: 0, other: 0 };

/** Traffic through nginx's shared upstream until stopped: preflights and requests from PARTNER, always allowed. */
function backgroundTraffic(): { stop: () => Promise<void> } {
  let running = true;
  const tally = (answer: Awaited<ReturnType<typeof throughNginx>> | undefined, status: number) => {
    if (answer?.status === status && answer.headers['access-control-allow-origin'] === PARTNER) background.allowed += 1;
    else background.other += 1;
  };
  const worker = async () => {
    while (running) {
      const preflight = await throughNginx('OPTIONS', '/partners', {
        origin: PARTNER,
        'access-control-request-method': 'PUT',
      }).catch(() => undefined);
      tally(preflight, 204);
      const actual = await throughNginx('GET', '/partners', { origin: PARTNER }).catch(() => undefined);
      tally(actual, 200);
    }
  };
  const workers = [worker(), worker()];
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 3; i += 1) ports.push(await freePort());
  ports.forEach((_, index) => startInstance(index));
  await Promise.all(instances.map(listeningPort));
  nginx = await startNginx(ports, 'policy-sync', pinnedUpstreams);
}, 60_000);

afterAll(async () => {
  nginx?.process.kill('SIGQUIT');
  for (const instance of instances) instance.child.kill('SIGKILL');
  await Promise.all(instances.map((instance) => instance.exited));
  await redis?.remove();
});

describe('three instances sharing their policies through Redis, behind nginx', () => {
  const converged: Array<number | undefined> = [];
  const traffic = { stop: (): Promise<void> => Promise.resolve() };

  beforeAll(() => {
    traffic.stop = backgroundTraffic().stop;
  });

  it('shows each of the first 50 changes on every instance within 1 s', async () => {
    for (let i = 0; i < TRIALS / 2; i += 1) converged.push(await trial());
    expect(converged.filter((ms) => ms !== undefined && ms <= CONVERGENCE_BOUND_MS)).toHaveLength(TRIALS / 2);
  }, 120_000);

  it('keeps deciding under the last version while Redis is down, warns once, and refuses changes', async () => {
    const last = `https://partner-${changesMade}.example`;
    await redis?.stop();
    expect(await pollUntil(() => instances.every((i) => i.output().includes('lost the connection to Redis')))).toBe(
      true,
    );
    for (const index of [0, 1, 2]) expect(await allows(index, last)).toBe(true);
    const refused = await change('https://partner-refused.example');
    changesMade -= 1;
    expect(refused.status).toBe(503);
    expect(refused.body).toContain("policy 'partners' was not replaced: Redis is not reachable");
    expect(await allows(0, last)).toBe(true);
  }, 30_000);

  it('starts an instance restarted while Redis is down from its configuration', async () => {
    await stopInstance(2);
    const restarted = startInstance(2);
    await listeningPort(restarted);
    expect(await version(2)).toEqual(expect.objectContaining({ number: 0, source: 'configuration' }));
    expect(await allows(2, PARTNER)).toBe(true);
    expect(restarted.output()).toContain('Redis was not reachable within 500 ms at start-up');
  }, 30_000);

  it('converges every instance once Redis is back, empty, and warns once that it is', async () => {
    await redis?.restart();
    const expected = (await version(0)).number;
    expect(expected).toBe(TRIALS / 2);
    expect(await pollUntil(async () => (await version(2)).number === expected, 10_000)).toBe(true);
    expect(await allows(2, `https://partner-${changesMade}.example`)).toBe(true);
    for (const instance of instances) {
      const output = instance.output();
      expect(output.split('connected to Redis again').length - 1).toBe(1);
      expect(
        output.split('lost the connection to Redis').length - 1 + output.split('not reachable within').length - 1,
      ).toBe(1);
    }
  }, 30_000);

  it('shows each of the last 50 changes on every instance within 1 s, 100 of 100 in all, with no 5xx', async () => {
    for (let i = 0; i < TRIALS / 2; i += 1) converged.push(await trial());
    await traffic.stop();
    const measured = converged.filter((ms): ms is number => ms !== undefined).toSorted((x, y) => x - y);
    console.log(
      `policy sync, ${TRIALS} changes on instance 0 seen by all 3 instances through nginx: converged ${measured.length}/${TRIALS}, ` +
        `p50 ${percentile(measured, 50).toFixed(1)} ms, p99 ${percentile(measured, 99).toFixed(1)} ms, ` +
        `max ${percentile(measured, 100).toFixed(1)} ms; answers through nginx by class: ${JSON.stringify(Object.fromEntries(statuses))} ` +
        `(4xx: preflights of a new origin before an instance applied it); background traffic from ${PARTNER}: ${JSON.stringify(background)}`,
    );
    expect(converged.filter((ms) => ms !== undefined && ms <= CONVERGENCE_BOUND_MS)).toHaveLength(TRIALS);
    expect(statuses.get(500) ?? 0).toBe(0);
    expect(background.other).toBe(0);
    expect(background.allowed).toBeGreaterThan(0);
  }, 120_000);
});
