/**
 * `npm run bench:rules`: what thousands of path rules cost, on Express and
 * Fastify (issue 30). For each platform and rule count, in a fresh process:
 *  - start-up: `createApp()` and `init()` of the service's API (its policies,
 *    GreetModule, health) with N literal rules (`/tenants/t<n>/files`,
 *    policy 'public'), as the service's own start-up builds it;
 *  - `CorsPolicies.replace('frontend', ...)`, which is synchronous: how long
 *    one call holds the event loop, over `--replaces` calls.
 * Start-ups repeat `--runs` times each; figures are medians, wall time on this
 * (shared) machine, so read them as an order of magnitude.
 *
 *   npm run bench:rules -- --counts 0,1000,10000 --runs 5
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    counts: { type: 'string', default: '0,1000,10000' },
    runs: { type: 'string', default: '5' },
    replaces: { type: 'string', default: '20' },
    /** Internal: run one measurement in this process and print it as JSON. */
    child: { type: 'string' },
  },
});

interface Measurement {
  readonly startupMs: number;
  readonly replaceMs: readonly number[];
}

/** One measurement, in this process: start the app with `count` rules, then replace a policy `replaces` times. */
async function measure(platform: 'express' | 'fastify', count: number, replaces: number): Promise<Measurement> {
  await import('reflect-metadata');
  const { Module } = await import('@nestjs/common');
  const { APP_FILTER } = await import('@nestjs/core');
  const { CorsModule, CorsPolicies } = await import('nestjs-route-cors');
  const { createApp } = await import('../src/app.factory.js');
  const { loadConfig } = await import('../src/common/environment.js');
  const { HttpErrorFilter } = await import('../src/common/http-error.filter.js');
  const { corsPolicies } = await import('../src/cors-policies.js');
  const { GreetModule } = await import('../src/greet/greet.module.js');
  const { HealthController } = await import('../src/health/health.controller.js');
  const config = loadConfig({ ...process.env, HTTP_ADAPTER: platform, LOG_LEVEL: 'error' });
  const policies = corsPolicies({ ...config, production: true });
  const paths = Array.from({ length: count }, (_, n) => ({ path: `/tenants/t${n}/files`, policy: 'public' }));

  @Module({
    imports: [CorsModule.forRoot({ ...policies, logRoutes: false, paths }), GreetModule],
    controllers: [HealthController],
    providers: [{ provide: APP_FILTER, useClass: HttpErrorFilter }],
  })
  class RulesModule {}

  const started = performance.now();
  const app = await createApp(RulesModule, { logLevels: ['error'], httpAdapter: platform });
  await app.init();
  const startupMs = performance.now() - started;
  const corsPoliciesService = app.get(CorsPolicies);
  const frontend = policies.policies?.frontend ?? {};
  const replaceMs: number[] = [];
  for (let i = 0; i < replaces; i += 1) {
    const before = performance.now();
    corsPoliciesService.replace('frontend', { ...frontend, maxAge: 60 + (i % 2) });
    replaceMs.push(performance.now() - before);
  }
  await app.close();
  return { startupMs, replaceMs };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** Runs one measurement in a fresh process, so that no start-up warms the next. */
function measureInChild(platform: string, count: number, replaces: number): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [import.meta.filename, '--child', `${platform}:${count}`, '--replaces', String(replaces)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(output) as Measurement)
        : reject(new Error(`measurement ${platform}:${count} exited with ${String(code)}`)),
    );
  });
}

async function main(): Promise<void> {
  if (options.child !== undefined) {
    const [platform = 'express', count = '0'] = options.child.split(':');
    if (platform !== 'express' && platform !== 'fastify') throw new Error(`unknown platform ${platform}`);
    process.stdout.write(JSON.stringify(await measure(platform, Number(count), Number(options.replaces))));
    return;
  }
  const counts = options.counts.split(',').map(Number);
  const runs = Number(options.runs);
  const rows: string[] = [];
  for (const platform of ['express', 'fastify']) {
    const baseline: number[] = [];
    for (const count of counts) {
      const startups: number[] = [];
      const replaces: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        const measured = await measureInChild(platform, count, Number(options.replaces));
        startups.push(measured.startupMs);
        replaces.push(...measured.replaceMs);
      }
      if (count === 0) baseline.push(...startups);
      const added = baseline.length > 0 ? median(startups) - median(baseline) : Number.NaN;
      const row = `| ${platform} | ${count.toLocaleString('en')} | ${median(startups).toFixed(0)} | ${Number.isNaN(added) ? '-' : added.toFixed(0)} | ${median(replaces).toFixed(1)} | ${Math.max(...replaces).toFixed(1)} |`;
      rows.push(row);
      console.log(row);
    }
  }
  const table = [
    `Path rules at scale, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${runs} start-ups per cell (median), ${options.replaces} replace() calls each.`,
    '',
    '| platform | literal rules | start-up ms | added by the rules, ms | replace() ms, median | replace() ms, max |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
  const file = join(
    import.meta.dirname,
    '..',
    '..',
    'bench',
    'results',
    `${new Date().toISOString().slice(0, 10)}-rules.md`,
  );
  writeFileSync(file, table);
  console.log(`\n${table}\nwritten to ${file}`);
}

await main();
