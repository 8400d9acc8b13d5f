/**
 * `npm run bench:instructions`: machine instructions per request under
 * valgrind's callgrind, which counts work rather than time and so does not
 * drift with a shared machine's speed (HTTP figures here vary by ±30%).
 *
 * For each target and workload, one server process:
 *  1. runs under `node --predictable` (no concurrent JIT or GC threads, no
 *     time-driven heuristics) with a young generation large enough that no
 *     scavenge falls at a different request in different variants;
 *  2. serves `--warmup` requests uncounted;
 *  3. is counted over one forced full GC, then over `--window` requests plus
 *     another forced full GC; the difference, divided by the window, is the
 *     cost of a request including the collection of its garbage. This is the
 *     old method's figure, kept beside the new one for comparison.
 *  4. a second server, never forced to collect, serves `--steady-after`
 *     requests uncounted, then is counted over windows of `--steady-window`
 *     requests back to back. A window's own cost is its count less TurboFan's.
 *     Windows are counted until two consecutive own costs agree within
 *     `--tolerance` and the last one's TurboFan is at most a tenth of its own
 *     cost (at most `--max-windows`); the last one is the steady figure.
 * Why step 4 (measured with `--trace-opt --trace-deopt` outside valgrind, and
 * with callgrind_annotate):
 *  - under `--predictable` TurboFan compiles on the main thread, inside the
 *    window. A fresh server compiles about 290 functions in its first 2,000
 *    requests and 70 in the next 2,000; the old window of Fastify's floor is
 *    1,156,072 instructions per request, of which TurboFan is 773,076.
 *  - a forced full GC (`gc()`) throws optimized code away: 56 functions
 *    deoptimized for "weak objects" and about 100 compilations in the next
 *    1,000 requests. So the old window, between forced GCs, is never steady
 *    however long the warm-up (in its server, own costs still fell 1.6% a
 *    window after request 10,000), and steady windows are counted in a server
 *    that never had one. Their garbage is collected by the scavenges that fall
 *    in them, as in a server that runs.
 *  - under callgrind, compilation resumes when counting starts: the windows
 *    are the same whether they start at request 10,000 or 12,000 (Fastify's
 *    floor, per request: TurboFan 244,030, 158,106, 128,189, 13,785, 0; own
 *    cost 285,374, 248,568, 214,485, 213,230, 212,853). Counting slows the
 *    server several times over, and something V8 decides by the clock (not
 *    found; heap limits follow measured speeds) sets compilation off again.
 *    One late compilation is several percent of a window, so windows are
 *    compared on what is left once TurboFan's inclusive cost is taken out, and
 *    counted until two agree: the fourth and fifth, on the floor. In the
 *    window that agrees, TurboFan is 0 to 2% of the count.
 * One connection, requests one after the other: the same work in every run.
 * Same code, two runs of the old method: within 0.05% (the floor: 1,686,572 and 1,685,847).
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
import { prepareNest11 } from './nest11.js';
import {
  comparedWith,
  selectTargets,
  selectWorkloads,
  type Target,
  targetEnvironment,
  targetScript,
  type Workload,
} from './scenarios.js';

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '2000' },
    window: { type: 'string', default: '2000' },
    'steady-after': { type: 'string', default: '12000' },
    'steady-window': { type: 'string', default: '1000' },
    tolerance: { type: 'string', default: '0.005' },
    'max-windows': { type: 'string', default: '5' },
    targets: {
      type: 'string',
      // Counted in this order, every workload of a target before the next target: a run stopped early has whole comparisons.
      default:
        'fastify-floor,fastify-empty-hook,fastify-ours,floor,ours,enable-cors,fastify-enable-cors,empty-interceptor,fastify-ours-large,fastify-enable-cors-large,ours-large,enable-cors-large,nest11-floor,nest11-ours,nest11-enable-cors',
    },
    workloads: { type: 'string', default: 'allowed,preflight,disallowed,no-origin' },
    jobs: { type: 'string', default: String(Math.max(1, cpus().length)) },
    /** Written to bench/results/<date>-instructions<-label>.md (and .svg). */
    label: { type: 'string', default: '' },
  },
});
const WARMUP = Number(values.warmup);
const WINDOW = Number(values.window);
const STEADY_AFTER = Number(values['steady-after']);
const STEADY_WINDOW = Number(values['steady-window']);
const TOLERANCE = Number(values.tolerance);
const MAX_WINDOWS = Number(values['max-windows']);
if (MAX_WINDOWS < 2) throw new Error('--max-windows must be at least 2: steady state is two windows that agree');
const TARGETS = selectTargets(values.targets);
prepareNest11(TARGETS);
const WORKLOADS = selectWorkloads(values.workloads);
const JOBS = Number(values.jobs);
const ROOT = join(import.meta.dirname, '..', '..');

/** The V8 settings that make a count repeatable (see above). */
const NODE_FLAGS = [
  '--predictable',
  '--expose-gc',
  '--min-semi-space-size=256',
  '--max-semi-space-size=256',
  '--max-http-header-size=81920',
];

interface Server {
  readonly pid: number;
  readonly port: number;
  /** Resolves once the server has printed `collected` `count` times in all. */
  collected(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** One process under callgrind, with the numbers of its forced collections and dumps so far. */
interface Counted {
  readonly server: Server;
  readonly outDir: string;
  collections: number;
  dumps: number;
}

function startUnderCallgrind(target: Target, outDir: string): Promise<Server> {
  // setarch -R turns address randomisation off, when the machine has it.
  const valgrind = [
    'valgrind',
    '--tool=callgrind',
    '--instr-atstart=no',
    '--smc-check=all',
    `--callgrind-out-file=${outDir}/cg.%p`,
  ];
  const command = [
    ...(existsSync('/usr/bin/setarch') ? ['setarch', '-R'] : []),
    ...valgrind,
    process.execPath,
    ...NODE_FLAGS,
  ];
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
    control.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`callgrind_control ${command} exited with ${String(code)}`)),
    );
  });
}

async function send(server: Server, workload: Workload, amount: number): Promise<void> {
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}${workload.path ?? '/greet'}`,
    method: workload.method,
    headers: workload.headers,
    body: workload.body,
    connections: 1,
    amount,
    timeout: 120,
  });
  if (result.errors + result.timeouts > 0)
    throw new Error(`${workload.name}: ${result.errors} errors, ${result.timeouts} timeouts`);
}

/**
 * Instructions of the `n`th dump (callgrind numbers dumps from 1): its
 * `totals` line. Its `summary` line wraps below zero in the first dump after
 * instrumentation is turned off and on again (valgrind 3.19); the two differ by
 * a constant ~200 otherwise, which cancels in every difference taken here.
 */
function dumpTotal(file: string): number {
  const totals = /^totals: (\d+)/m.exec(readFileSync(file, 'utf8'))?.[1];
  if (!totals) throw new Error(`no totals in callgrind dump ${file}`);
  return Number(totals);
}

/**
 * V8's optimizing compiler, as callgrind_annotate lists it with inclusive
 * costs: `Compiler::CompileOptimized` (and its OSR twin) runs all of TurboFan
 * for one function, on the main thread under `--predictable`. Lines ending in
 * `'2`, `'3`, ... are the same function again deeper in a recursion, already
 * inside the first line's cost.
 */
const TURBOFAN = /^\s*([\d,]+) \([^)]*\)\s+\S*v8::internal::Compiler::CompileOptimized(?:OSR)?\((?!.*\)'\d+ \[)/;

function turbofanTotal(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const annotate = spawn('callgrind_annotate', ['--inclusive=yes', '--threshold=100', file], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let listing = '';
    annotate.stdout.on('data', (chunk: Buffer) => (listing += chunk.toString()));
    annotate.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`callgrind_annotate ${file} exited with ${String(code)}`));
      const costs = listing.split('\n').map((line) => TURBOFAN.exec(line)?.[1]);
      resolve(costs.reduce((sum: number, cost) => sum + (cost ? Number(cost.replaceAll(',', '')) : 0), 0));
    });
  });
}

/** What a dump, or a window of requests, cost: all instructions, and TurboFan's part of them. */
interface Cost {
  readonly instructions: number;
  readonly turbofan: number;
}

const perRequest = (cost: Cost, requests: number, less: Cost = { instructions: 0, turbofan: 0 }): Cost => ({
  instructions: (cost.instructions - less.instructions) / requests,
  turbofan: (cost.turbofan - less.turbofan) / requests,
});

/** What the request itself costs: the window less the compiler compiling during it. */
const own = (cost: Cost): number => cost.instructions - cost.turbofan;

/** A forced full collection in the server, awaited. */
async function collect(counted: Counted): Promise<void> {
  process.kill(counted.server.pid, 'SIGUSR2');
  await counted.server.collected(++counted.collections);
}

async function dump(counted: Counted): Promise<Cost> {
  await callgrindControl(counted.server.pid, '--dump');
  // The valgrind process's pid is the one in the file names.
  const file = join(counted.outDir, `cg.${counted.server.pid}.${++counted.dumps}`);
  return { instructions: dumpTotal(file), turbofan: await turbofanTotal(file) };
}

/**
 * The old method's window: counted from a collected heap, over the requests
 * and the collection of their garbage, less what a collection of an already
 * collected heap costs. Counting is off again after, so that uncounted
 * requests run at valgrind's uninstrumented speed.
 */
async function countWindow(counted: Counted, workload: Workload, amount: number): Promise<Cost> {
  await collect(counted);
  await callgrindControl(counted.server.pid, '--instr=on');
  await collect(counted);
  const collection = await dump(counted);
  await send(counted.server, workload, amount);
  await collect(counted);
  const window = await dump(counted);
  await callgrindControl(counted.server.pid, '--instr=off');
  return perRequest(window, amount, collection);
}

/** How far the last window's own cost is from the one before, as a fraction of that one. */
function disagreement(windows: readonly Cost[]): number {
  const [before, last] = windows.slice(-2);
  return before && last ? (own(last) - own(before)) / own(before) : Infinity;
}

/**
 * Above this share of a window's own cost, V8 is still compiling, and two windows may agree by chance: the Express
 * 1,000 + 50 target's first two did (1,028,433 and 1,023,463, TurboFan 15% of the second), far above what it settles at.
 * Every other cell counted on 2026-12-04 settled with TurboFan at 0 to 5%.
 */
const MAX_COMPILING_SHARE = 0.1;
const settled = (window: Cost | undefined): boolean =>
  window !== undefined && window.turbofan <= MAX_COMPILING_SHARE * own(window);
const agree = (windows: readonly Cost[]): boolean =>
  Math.abs(disagreement(windows)) <= TOLERANCE && settled(windows.at(-1));

/**
 * Consecutive windows of `--steady-window` requests, until the last two agree
 * within `--tolerance` or `--max-windows` are counted. No forced GC: one would
 * throw optimized code away (see above).
 */
async function steadyWindows(counted: Counted, workload: Workload): Promise<Cost[]> {
  await callgrindControl(counted.server.pid, '--instr=on');
  // Starts the first window: what ran between the control command and now is no request's.
  await dump(counted);
  const windows: Cost[] = [];
  while (windows.length < 2 || (!agree(windows) && windows.length < MAX_WINDOWS)) {
    await send(counted.server, workload, STEADY_WINDOW);
    windows.push(perRequest(await dump(counted), STEADY_WINDOW));
  }
  return windows;
}

interface Measurement {
  /** The old method: `--window` requests after `--warmup`. */
  readonly old: Cost;
  /** Every steady window counted, in order. */
  readonly windows: readonly Cost[];
  /** Whether the last two windows agree within `--tolerance`. */
  readonly steady: boolean;
}

/** A fresh server under callgrind for `use`, stopped and its dumps removed after. */
async function withServer<T>(target: Target, use: (counted: Counted) => Promise<T>): Promise<T> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-instructions-'));
  const counted: Counted = { server: await startUnderCallgrind(target, outDir), outDir, collections: 0, dumps: 0 };
  try {
    return await use(counted);
  } finally {
    await counted.server.stop();
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * Two servers: the old method's window, then steady windows in a server never
 * forced to collect, whose compiler has settled by `--steady-after` (in the
 * first server the old window's forced collections start it over).
 */
async function measure(target: Target, workload: Workload): Promise<Measurement> {
  const old = await withServer(target, async (counted) => {
    await send(counted.server, workload, WARMUP);
    return countWindow(counted, workload, WINDOW);
  });
  const windows = await withServer(target, async (counted) => {
    await send(counted.server, workload, STEADY_AFTER);
    return steadyWindows(counted, workload);
  });
  return { old, windows, steady: agree(windows) };
}

interface Cell {
  readonly target: Target;
  readonly workload: Workload;
  measurement?: Measurement;
}

/**
 * The old method's figure (everything its window counted), or the last steady
 * window's own cost (reported, with its flag, even when the windows never agreed).
 */
type Method = 'old' | 'steady';
function figure({ old, windows }: Measurement, method: Method): number {
  const last = windows.at(-1);
  return method === 'old' ? old.instructions : last ? own(last) : Number.NaN;
}

const signedPercent = (fraction: number, digits: number): string =>
  `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(digits)}%`;
const count = (value: number): string => Math.round(value).toLocaleString('en');
const windowText = (window: Cost): string =>
  `${count(window.instructions)} − ${count(window.turbofan)} = ${count(own(window))}`;

/** The floor has no OPTIONS route: a preflight there is a 404 and measures nothing. */
const cells: Cell[] = TARGETS.flatMap((target) =>
  WORKLOADS.filter((workload) => target.cors || workload.method !== 'OPTIONS').map((workload) => ({
    target,
    workload,
  })),
);
/** The table reads by workload, each workload's targets together. */
const tableOrder: Cell[] = WORKLOADS.flatMap((workload) => cells.filter((cell) => cell.workload === workload));
const find = (targetId: string, workload: Workload, method: Method): number | undefined => {
  const measurement = cells.find((c) => c.target.id === targetId && c.workload === workload)?.measurement;
  return measurement && figure(measurement, method);
};
const versus = (value: number, base: number | undefined): string =>
  base === undefined ? '-' : signedPercent((value - base) / base, 1);
const comparisons = (cell: Cell, value: number, method: Method): string =>
  `${versus(value, find(comparedWith(cell.target, 'floor'), cell.workload, method))} | ${versus(value, find(comparedWith(cell.target, 'enable-cors'), cell.workload, method))}`;

/** CORS per request, steady figures: above the floor for POSTs, the whole answer for preflights (the floor answers none). */
function chartGroups(): ChartGroup[] {
  return WORKLOADS.map((workload) => ({
    workload: workload.name,
    measure: workload.method === 'OPTIONS' ? 'whole preflight' : 'above the floor',
    bars: (['express', 'fastify'] as const).flatMap((platform) =>
      (['ours', 'enable-cors'] as const).flatMap((role) => {
        const id = platform === 'fastify' ? `fastify-${role}` : role;
        const value = find(id, workload, 'steady');
        const floor =
          workload.method === 'OPTIONS'
            ? 0
            : find(platform === 'fastify' ? 'fastify-floor' : 'floor', workload, 'steady');
        return value === undefined || floor === undefined
          ? []
          : [
              {
                platform,
                implementation: role === 'ours' ? ('ours' as const) : ('enableCors()' as const),
                instructions: value - floor,
              },
            ];
      }),
    ),
  })).filter((group) => group.bars.length > 0);
}

const date = new Date().toISOString().slice(0, 10);
const name = `${date}-instructions${values.label ? `-${values.label}` : ''}`;

/** Writes bench/results/<date>-instructions<-label>.md (and the chart) from the counts done so far; returns the text. */
function writeResults(): string {
  const done = cells.filter((cell) => cell.measurement).length;
  const minutes = Math.round((Date.now() - started) / 60_000);
  const lines = [
    `# Instructions per request, ${new Date().toISOString().slice(0, 10)}`,
    '',
    `callgrind, Node ${process.version}, \`node ${NODE_FLAGS.join(' ')}\`, one connection. Command: ` +
      `\`npm run bench:instructions -- --targets ${values.targets} --workloads ${values.workloads} --jobs ${JOBS}\` ` +
      `(${done} of ${cells.length} counts, ${minutes} min with ${JOBS} ${JOBS === 1 ? 'job' : 'jobs'}).`,
    '',
    `- **Old method**: ${WARMUP.toLocaleString('en')} requests of warm-up, then ${WINDOW.toLocaleString('en')} counted ` +
      'between two forced full GCs, whose own cost is subtracted. V8 is still compiling then (under `--predictable` ' +
      'TurboFan runs on the main thread, inside the window), and more so because a forced GC throws optimized code away.',
    `- **Steady**: a second server, never forced to collect, serves ${STEADY_AFTER.toLocaleString('en')} requests, then counts windows of ` +
      `${STEADY_WINDOW.toLocaleString('en')} requests back to back, with no forced GC (scavenges fall where they fall). ` +
      "A window's own cost is its count less TurboFan's (`Compiler::CompileOptimized`, inclusive, from callgrind_annotate). " +
      `Windows are counted until two consecutive own costs agree within ${(TOLERANCE * 100).toFixed(1)}%, the last one ` +
      `with TurboFan at most ${(MAX_COMPILING_SHARE * 100).toFixed(0)}% of its own cost (at most ` +
      `${MAX_WINDOWS}); the figure is the last window's own cost. "steady windows" lists every window as ` +
      'all − TurboFan = own, "last two" the last own cost against the one before; **not steady** marks a cell whose ' +
      'windows never agreed.',
    '',
    '| target | workload | old method | vs floor | vs enableCors | of which TurboFan | steady | vs floor | vs enableCors | steady vs old | steady windows: all − TurboFan = own | last two |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const cell of tableOrder) {
    const { measurement } = cell;
    if (!measurement) continue;
    const old = figure(measurement, 'old');
    const steady = figure(measurement, 'steady');
    lines.push(
      `| ${cell.target.name} | ${cell.workload.name} | ${count(old)} | ${comparisons(cell, old, 'old')} | ${count(measurement.old.turbofan)} | ` +
        `${count(steady)} | ${comparisons(cell, steady, 'steady')} | ${signedPercent((steady - old) / old, 1)} | ${measurement.windows.map(windowText).join('; ')} | ` +
        `${signedPercent(disagreement(measurement.windows), 2)}${measurement.steady ? '' : ' **not steady**'} |`,
    );
  }

  const POST_WORKLOADS = WORKLOADS.filter((workload) => workload.method !== 'OPTIONS');
  const METHODS: readonly Method[] = ['old', 'steady'];

  const floors = POST_WORKLOADS.flatMap((workload) =>
    METHODS.flatMap((method) => {
      const express = find('floor', workload, method);
      const fastify = find('fastify-floor', workload, method);
      return express !== undefined && fastify !== undefined
        ? [`| ${workload.name} | ${method} | ${count(express)} | ${count(fastify)} | ${versus(fastify, express)} |`]
        : [];
    }),
  );
  if (floors.length > 0) {
    lines.push(
      '',
      '| the floor (no CORS) | method | Express | Fastify | Fastify vs Express |',
      '|---|---|---:|---:|---:|',
      ...floors,
    );
  }

  /**
   * Fastify's CORS runs in the adapter's request-hook slot, which an empty hook
   * also occupies: ours above the empty hook is CORS, the empty hook above the
   * floor is the slot's mechanism.
   */
  const hookSplit = POST_WORKLOADS.flatMap((workload) =>
    METHODS.flatMap((method) => {
      const floor = find('fastify-floor', workload, method);
      const hook = find('fastify-empty-hook', workload, method);
      const ours = find('fastify-ours', workload, method);
      if (floor === undefined || hook === undefined || ours === undefined) return [];
      const overhead = ours - floor;
      return [
        `| ${workload.name} | ${method} | ${count(floor)} | ${count(hook)} | ${count(ours)} | ${count(overhead)} (${versus(ours, floor)}) | ` +
          `${count(hook - floor)} (${versus(hook, floor)}) | ${count(ours - hook)} (${signedPercent((ours - hook) / floor, 1)}) | ` +
          `${(((hook - floor) / overhead) * 100).toFixed(0)}% |`,
      ];
    }),
  );
  if (hookSplit.length > 0) {
    lines.push(
      '',
      'Fastify: ours over its floor, split into the request-hook mechanism (an empty hook in `FastifyAdapter.setOnRequestHook()`, the slot the package uses) and CORS (ours over the empty hook); percentages of the floor.',
      '',
      '| workload | method | floor | empty hook | ours | ours − floor | mechanism: hook − floor | CORS: ours − hook | mechanism share |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|',
      ...hookSplit,
    );
  }

  const groups = chartGroups();
  if (groups.length > 0) {
    writeFileSync(
      join(ROOT, 'bench', 'results', `${name}.svg`),
      costChart(`What CORS costs per request in steady state, ${date}`, groups),
    );
    lines.push('', `![CORS cost per request](${name}.svg)`);
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.md`), text);
  return text;
}

const started = Date.now();
let nextCell = 0;
async function worker(): Promise<void> {
  for (let cell = cells[nextCell++]; cell; cell = cells[nextCell++]) {
    const cellStarted = Date.now();
    const measurement = await measure(cell.target, cell.workload);
    cell.measurement = measurement;
    // Written after every count, so that a long run stopped early keeps what it measured.
    writeResults();
    const windows = measurement.windows.map(windowText).join('; ');
    console.log(
      `  ${cell.target.name.padEnd(26)} ${cell.workload.name.padEnd(16)} old ${count(figure(measurement, 'old')).padStart(9)} (TurboFan ${count(measurement.old.turbofan)})` +
        `  steady ${count(figure(measurement, 'steady')).padStart(9)}  windows ${windows} (${signedPercent(disagreement(measurement.windows), 2)}${measurement.steady ? '' : ', NOT STEADY'})  ${Math.round((Date.now() - cellStarted) / 1000)} s`,
    );
  }
}
console.log(
  `${cells.length} counts, ${JOBS} at a time: old method ${WARMUP} warm-up + ${WINDOW} counted; ` +
    `steady windows of ${STEADY_WINDOW} from request ${STEADY_AFTER}, until two agree within ${TOLERANCE * 100}% (at most ${MAX_WINDOWS})`,
);
await Promise.all(Array.from({ length: JOBS }, worker));
console.log(`\n${writeResults()}\nWritten to bench/results/${name}.md`);
