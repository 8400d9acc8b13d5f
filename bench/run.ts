/**
 * `npm run bench`: per-route CORS against what a Nest user would otherwise run,
 * in one run on this machine. One target at a time: start it on a free port,
 * check it answers correctly, warm it, load it for a fixed time with a fixed
 * number of connections (autocannon), read its RSS. Prints the table and
 * writes it to bench/results/<date>.md.
 *
 *   npm run bench -- --duration 4 --connections 20 --warmup 1 --rounds 2
 *
 * This machine's speed drifts (shared cores), so the targets are interleaved
 * over rounds and each figure is the median of its rounds, with the spread;
 * server CPU time per request is reported beside requests per second.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { measureMatching } from './matching.js';
import { ALLOWED_ORIGIN } from './policies.js';
import { prepareNest11 } from './nest11.js';
import {
  BODY,
  comparedWith,
  selectTargets,
  type Target,
  targetEnvironment,
  targetScript,
  type Workload,
  WORKLOADS,
} from './scenarios.js';

const ROOT = join(import.meta.dirname, '..', '..');

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
    startups: { type: 'string', default: '5' },
    targets: {
      type: 'string',
      default:
        'floor,ours,enable-cors,plain,ours-large,enable-cors-large,fastify-floor,fastify-ours,fastify-enable-cors',
    },
  },
});
const DURATION = Number(options.duration);
const CONNECTIONS = Number(options.connections);
const WARMUP = Number(options.warmup);
const ROUNDS = Number(options.rounds);
const STARTUPS = Number(options.startups);
const TARGETS = selectTargets(options.targets);
prepareNest11(TARGETS);
/** Linux reports process CPU time in clock ticks of 1/100 s. */
const TICK_US = 10_000;

interface Started {
  readonly child: ChildProcess;
  readonly port: number;
  readonly startupMs: number;
}

function start(target: Target): Promise<Started> {
  const child = spawn(process.execPath, [targetScript(target), ...target.args], {
    cwd: ROOT,
    env: targetEnvironment(target),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /ready (\d+) ([\d.]+)/.exec(output);
      if (ready) resolve({ child, port: Number(ready[1]), startupMs: Number(ready[2]) });
    });
    child.once('exit', (code) => reject(new Error(`${target.name} exited with ${String(code)} before it was ready`)));
  });
}

async function stop(started: Started): Promise<void> {
  const exited = new Promise((resolve) => started.child.once('exit', resolve));
  started.child.kill('SIGTERM');
  await exited;
}

function rssMiB(pid: number | undefined): number {
  const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** User + system CPU ticks the process has used (proc(5), fields 14 and 15). */
function cpuTicks(pid: number | undefined): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

/** The target must give the answers the workloads assume, or its numbers mean nothing. */
async function checkCorrect(target: Target, port: number): Promise<void> {
  const url = `http://127.0.0.1:${port}/greet`;
  const post = await fetch(url, { method: 'POST', headers: WORKLOADS[1]?.headers, body: BODY });
  const greeting = ((await post.json()) as { greeting?: string }).greeting;
  const problems: string[] = [];
  if (post.status !== 200 || greeting !== 'Hola, Alice!')
    problems.push(`POST answered ${post.status} ${String(greeting)}`);
  if (target.cors) {
    if (post.headers.get('access-control-allow-origin') !== ALLOWED_ORIGIN)
      problems.push('POST lacks Access-Control-Allow-Origin');
    const preflight = await fetch(url, { method: 'OPTIONS', headers: WORKLOADS[0]?.headers });
    if (preflight.status !== 204 || preflight.headers.get('access-control-allow-origin') !== ALLOWED_ORIGIN) {
      problems.push(`preflight answered ${preflight.status}`);
    }
    const refused = await fetch(url, { method: 'POST', headers: WORKLOADS[2]?.headers, body: BODY });
    if (refused.headers.get('access-control-allow-origin') !== null)
      problems.push('disallowed origin got Access-Control-Allow-Origin');
  }
  if (problems.length > 0) throw new Error(`${target.name} is not correct: ${problems.join('; ')}`);
}

interface Measured {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly cpuUsPerRequest: number;
}

async function load(started: Started, workload: Workload, seconds: number): Promise<Measured> {
  const port = started.port;
  const ticksBefore = cpuTicks(started.child.pid);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${workload.path ?? '/greet'}`,
    method: workload.method,
    headers: workload.headers,
    body: workload.body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    cpuUsPerRequest: ((cpuTicks(started.child.pid) - ticksBefore) * TICK_US) / Math.max(1, result.requests.total),
  };
}

interface Row extends Measured {
  readonly target: Target;
  readonly workload: string;
  readonly rssMiB: number;
}

async function measureTarget(target: Target): Promise<Row[]> {
  const started = await start(target);
  try {
    await checkCorrect(target, started.port);
    const rows: Row[] = [];
    for (const workload of WORKLOADS) {
      await load(started, workload, WARMUP);
      const measured = await load(started, workload, DURATION);
      rows.push({ target, workload: workload.name, ...measured, rssMiB: rssMiB(started.child.pid) });
      console.log(
        `  ${target.name.padEnd(22)} ${workload.name.padEnd(16)} ${measured.rps.toFixed(0).padStart(7)} req/s`,
      );
    }
    return rows;
  } finally {
    await stop(started);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function startupMedian(target: Target): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < STARTUPS; i += 1) {
    const started = await start(target);
    times.push(started.startupMs);
    await stop(started);
  }
  return median(times);
}

/** The median of each figure over the rounds, with the spread of requests per second. */
function combine(rounds: readonly Row[][]): Array<Row & { readonly rpsMin: number; readonly rpsMax: number }> {
  return (rounds[0] ?? []).map((first, index) => {
    const same = rounds.map((round) => round[index] ?? first);
    const rps = same.map((r) => r.rps);
    return {
      target: first.target,
      workload: first.workload,
      rps: median(rps),
      rpsMin: Math.min(...rps),
      rpsMax: Math.max(...rps),
      p50: median(same.map((r) => r.p50)),
      p99: median(same.map((r) => r.p99)),
      errors: same.reduce((sum, r) => sum + r.errors, 0),
      cpuUsPerRequest: median(same.map((r) => r.cpuUsPerRequest)),
      rssMiB: Math.max(...same.map((r) => r.rssMiB)),
    };
  });
}

function ratio(value: number, base: number | undefined): string {
  return base ? `${((value / base) * 100).toFixed(1)}%` : '-';
}

type Combined = ReturnType<typeof combine>[number];

function report(rows: readonly Combined[], startups: ReadonlyMap<string, number>): string {
  const find = (targetId: string, workload: string) =>
    rows.find((r) => r.target.id === targetId && r.workload === workload);
  const lines = [
    `# Benchmark ${new Date().toISOString().slice(0, 10)}`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; autocannon on the same machine. ` +
      `${CONNECTIONS} connections, ${DURATION} s per workload after ${WARMUP} s of warm-up, ${ROUNDS} rounds with the targets ` +
      `interleaved; each figure is the median of its rounds. Command: \`npm run bench -- --duration ${DURATION} ` +
      `--connections ${CONNECTIONS} --warmup ${WARMUP} --rounds ${ROUNDS}\`.`,
    '',
    '| target | workload | req/s (min–max) | server CPU µs/req | p50 ms | p99 ms | errors | RSS MiB | req/s vs floor | req/s vs enableCors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const floor = row.workload === 'preflight' ? undefined : find(comparedWith(row.target, 'floor'), row.workload)?.rps;
    lines.push(
      `| ${row.target.name} | ${row.workload} | ${row.rps.toFixed(0)} (${row.rpsMin.toFixed(0)}–${row.rpsMax.toFixed(0)}) | ` +
        `${row.cpuUsPerRequest.toFixed(0)} | ${row.p50} | ${row.p99} | ${row.errors} | ${row.rssMiB.toFixed(0)} | ` +
        `${ratio(row.rps, floor)} | ${ratio(row.rps, find(comparedWith(row.target, 'enable-cors'), row.workload)?.rps)} |`,
    );
  }
  lines.push(
    '',
    'The floor has no OPTIONS route: its "preflight" row is a 404 and no baseline. "errors" counts non-2xx answers.',
    '',
  );
  lines.push(`| start-up: create + listen, median of ${STARTUPS} | ms |`, '|---|---:|');
  for (const [name, ms] of startups) lines.push(`| ${name} | ${ms.toFixed(1)} |`);
  lines.push('', '| decideCors alone (in-process) | origin | ns per decision |', '|---|---|---:|');
  for (const row of measureMatching())
    lines.push(`| ${row.policy} | ${row.origin} | ${row.nsPerDecision.toFixed(0)} |`);
  return `${lines.join('\n')}\n`;
}

const rounds: Row[][] = [];
console.log(`${ROUNDS} rounds over ${TARGETS.length} targets: ${CONNECTIONS} connections, ${DURATION} s per workload`);
for (let round = 1; round <= ROUNDS; round += 1) {
  console.log(`round ${round}`);
  const rows: Row[] = [];
  for (const target of TARGETS) {
    rows.push(...(await measureTarget(target)));
  }
  rounds.push(rows);
}
const startups = new Map<string, number>();
for (const target of TARGETS.filter((t) => t.script === 'nest-target.js')) {
  startups.set(target.name, await startupMedian(target));
}
const text = report(combine(rounds), startups);
const file = join(ROOT, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}.md`);
writeFileSync(file, text);
console.log(`\n${text}\nWritten to ${file}`);
