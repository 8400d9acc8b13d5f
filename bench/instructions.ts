/**
 * `npm run bench:instructions`: machine instructions per request under
 * valgrind's callgrind, which counts work rather than time and so does not
 * drift with a shared machine's speed (HTTP figures here vary by ±30%).
 *
 * For each target and workload, one server process:
 *  1. runs under `node --predictable` (no concurrent JIT or GC threads, no
 *     time-driven heuristics) with a young generation large enough that no
 *     scavenge falls at a different request in different variants;
 *  2. serves `--warmup` requests uncounted (JIT settles);
 *  3. is counted over one forced full GC, then over `--window` requests plus
 *     another forced full GC; the difference, divided by the window, is the
 *     cost of a request including the collection of its garbage.
 * One connection, requests one after the other: the same work in every run.
 * Same code, two runs: within 0.05% (the floor: 1,686,572 and 1,685,847).
 *
 *   npm run bench:instructions -- --targets floor,ours --workloads allowed --jobs 2
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { type ChartGroup, costChart } from './chart.js';
import { comparedWith, selectTargets, selectWorkloads, type Target, targetEnvironment, targetScript, type Workload } from './scenarios.js';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '2000' },
    window: { type: 'string', default: '2000' },
    targets: {
      type: 'string',
      default: 'floor,ours,enable-cors,empty-interceptor,ours-large,enable-cors-large,fastify-floor,fastify-ours,fastify-enable-cors,fastify-ours-large,fastify-enable-cors-large',
    },
    workloads: { type: 'string', default: 'allowed,preflight,disallowed,no-origin' },
    jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
  },
});
const WARMUP = Number(values.warmup);
const WINDOW = Number(values.window);
const TARGETS = selectTargets(values.targets);
const WORKLOADS = selectWorkloads(values.workloads);
const JOBS = Number(values.jobs);
const ROOT = join(import.meta.dirname, '..', '..');

/** The V8 settings that make a count repeatable (see above). */
const NODE_FLAGS = ['--predictable', '--expose-gc', '--min-semi-space-size=256', '--max-semi-space-size=256'];

interface Server {
  readonly pid: number;
  readonly port: number;
  /** Resolves once the server has printed `collected` `count` times in all. */
  collected(count: number): Promise<void>;
  stop(): Promise<void>;
}

function startUnderCallgrind(target: Target, outDir: string): Promise<Server> {
  // setarch -R turns address randomisation off, when the machine has it.
  const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all', `--callgrind-out-file=${outDir}/cg.%p`];
  const command = [...(existsSync('/usr/bin/setarch') ? ['setarch', '-R'] : []), ...valgrind, process.execPath, ...NODE_FLAGS];
  const [program = 'valgrind', ...args] = command;
  const child = spawn(program, [...args, targetScript(target), ...target.args], {
    cwd: ROOT,
    env: targetEnvironment(target),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let log = '';
  const waiters: Array<() => void> = [];
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    waiters.splice(0).forEach((wake) => wake());
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = (done: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (done()) resolve();
        else if (child.exitCode !== null) reject(new Error(`${target.name} exited early:\n${log}`));
        else waiters.push(check);
      };
      check();
      void exited.then(check);
    });
  return until(() => /ready \d+/.test(output)).then(() => ({
    pid: child.pid ?? 0,
    port: Number(/ready (\d+)/.exec(output)?.[1]),
    collected: (count) => until(() => (output.match(/collected/g) ?? []).length >= count),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  }));
}

function callgrindControl(pid: number, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const control = spawn('callgrind_control', [command, String(pid)], { stdio: 'ignore' });
    control.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`callgrind_control ${command} exited with ${String(code)}`))));
  });
}

async function send(server: Server, workload: Workload, amount: number): Promise<void> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}/greet`,
    method: workload.method,
    headers: workload.headers,
    body: workload.body,
    connections: 1,
    amount,
    timeout: 120,
  });
  if (result.errors + result.timeouts > 0) throw new Error(`${workload.name}: ${result.errors} errors, ${result.timeouts} timeouts`);
}

/** Instructions of the `n`th dump (callgrind numbers dumps from 1). */
function dumpTotal(outDir: string, pid: number, n: number): number {
  const text = readFileSync(join(outDir, `cg.${pid}.${n}`), 'utf8');
  const summary = /^summary: (\d+)/m.exec(text)?.[1];
  if (!summary) throw new Error(`no summary in callgrind dump ${n} of ${pid}`);
  return Number(summary);
}

async function instructionsPerRequest(target: Target, workload: Workload): Promise<number> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
  const server = await startUnderCallgrind(target, outDir);
  try {
    await send(server, workload, WARMUP);
    process.kill(server.pid, 'SIGUSR2');
    await server.collected(1);
    await callgrindControl(server.pid, '--instr=on');
    process.kill(server.pid, 'SIGUSR2');
    await server.collected(2);
    await callgrindControl(server.pid, '--dump');
    await send(server, workload, WINDOW);
    process.kill(server.pid, 'SIGUSR2');
    await server.collected(3);
    await callgrindControl(server.pid, '--dump');
    // The valgrind process's pid is the one in the file names.
    return (dumpTotal(outDir, server.pid, 2) - dumpTotal(outDir, server.pid, 1)) / WINDOW;
  } finally {
    await server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

interface Cell {
  readonly target: Target;
  readonly workload: Workload;
  instructions?: number;
}

/** The floor has no OPTIONS route: a preflight there is a 404 and measures nothing. */
const cells: Cell[] = WORKLOADS.flatMap((workload) =>
  TARGETS.filter((target) => target.cors || workload.method !== 'OPTIONS').map((target) => ({ target, workload })),
);
const started = Date.now();
let nextCell = 0;
async function worker(): Promise<void> {
  for (let cell = cells[nextCell++]; cell; cell = cells[nextCell++]) {
    cell.instructions = await instructionsPerRequest(cell.target, cell.workload);
    console.log(`  ${cell.target.name.padEnd(26)} ${cell.workload.name.padEnd(16)} ${Math.round(cell.instructions)}`);
  }
}
console.log(`${cells.length} counts, ${JOBS} at a time: ${WARMUP} warm-up requests, ${WINDOW} counted`);
await Promise.all(Array.from({ length: JOBS }, worker));

const find = (targetId: string, workload: Workload): number | undefined =>
  cells.find((c) => c.target.id === targetId && c.workload === workload)?.instructions;
const versus = (value: number, base: number | undefined): string =>
  base === undefined ? '-' : `${value >= base ? '+' : ''}${(((value - base) / base) * 100).toFixed(1)}%`;

const lines = [
  `# Instructions per request, ${new Date().toISOString().slice(0, 10)}`,
  '',
  `callgrind, Node ${process.version}, \`node ${NODE_FLAGS.join(' ')}\`; ${WARMUP} requests of warm-up, then ${WINDOW} ` +
    `counted, one connection, with the forced garbage collection's own cost subtracted. ` +
    `Command: \`npm run bench:instructions -- --targets ${values.targets} --workloads ${values.workloads}\` ` +
    `(${Math.round((Date.now() - started) / 60_000)} min with ${JOBS} jobs).`,
  '',
  '| target | workload | instructions per request | vs floor | vs enableCors |',
  '|---|---|---:|---:|---:|',
];
for (const cell of cells) {
  const value = cell.instructions ?? 0;
  lines.push(
    `| ${cell.target.name} | ${cell.workload.name} | ${Math.round(value).toLocaleString('en')} | ` +
      `${versus(value, find(comparedWith(cell.target, 'floor'), cell.workload))} | ${versus(value, find(comparedWith(cell.target, 'enable-cors'), cell.workload))} |`,
  );
}
const floors = WORKLOADS.flatMap((workload) => {
  const express = find('floor', workload);
  const fastify = find('fastify-floor', workload);
  return express !== undefined && fastify !== undefined
    ? [`| ${workload.name} | ${Math.round(express).toLocaleString('en')} | ${Math.round(fastify).toLocaleString('en')} | ${versus(fastify, express)} |`]
    : [];
});
if (floors.length > 0) {
  lines.push('', '| the floor (no CORS) | Express | Fastify | Fastify vs Express |', '|---|---:|---:|---:|', ...floors);
}

/** CORS per request: above the floor for POSTs, the whole answer for preflights (the floor answers none). */
function chartGroups(): ChartGroup[] {
  return WORKLOADS.map((workload) => ({
    workload: workload.name,
    measure: workload.method === 'OPTIONS' ? 'whole preflight' : 'above the floor',
    bars: (['express', 'fastify'] as const).flatMap((platform) =>
      (['ours', 'enable-cors'] as const).flatMap((role) => {
        const id = platform === 'fastify' ? `fastify-${role}` : role;
        const value = find(id, workload);
        const floor = workload.method === 'OPTIONS' ? 0 : find(platform === 'fastify' ? 'fastify-floor' : 'floor', workload);
        return value === undefined || floor === undefined ? [] : [{ platform, implementation: role === 'ours' ? ('ours' as const) : ('enableCors()' as const), instructions: value - floor }];
      }),
    ),
  })).filter((group) => group.bars.length > 0);
}

const date = new Date().toISOString().slice(0, 10);
const groups = chartGroups();
if (groups.length > 0) {
  const chart = join(ROOT, 'bench', 'results', `${date}-instructions.svg`);
  writeFileSync(chart, costChart(`What CORS costs per request, ${date}`, groups));
  lines.push('', `![CORS cost per request](${date}-instructions.svg)`);
}
const text = `${lines.join('\n')}\n`;
const file = join(ROOT, 'bench', 'results', `${date}-instructions.md`);
writeFileSync(file, text);
console.log(`\n${text}\nWritten to ${file}`);
