/**
 * `npm run bench:instructions`: machine instructions per `POST /greet` under
 * valgrind's callgrind, which counts instructions rather than time and so
 * does not drift with a shared machine's speed. Each variant serves N1 and
 * then N2 requests in fresh processes; (I(N2) - I(N1)) / (N2 - N1) removes
 * start-up and early JIT work. Slow (a few minutes per run): not part of
 * `npm run bench`.
 *
 *   npm run bench:instructions -- --from 400 --to 1200 --variants no-cors,empty-interceptor,cors-module,enable-cors
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { ALLOWED_ORIGIN, TWO_ORIGINS } from './policies.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '400' },
    to: { type: 'string', default: '1200' },
    variants: { type: 'string', default: 'no-cors,empty-interceptor,cors-module,enable-cors' },
  },
});
const FROM = Number(values.from);
const TO = Number(values.to);
const TARGET = join(import.meta.dirname, 'targets', 'nest-target.js');
const VARIANTS = values.variants.split(',');

async function instructions(variant: string, requests: number): Promise<number> {
  const child = spawn('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', '--smc-check=all', process.execPath, TARGET, variant], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', CORS_ALLOWED_ORIGINS: TWO_ORIGINS.join(',') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const ready = /ready (\d+)/.exec(chunk.toString());
      if (ready) resolve(Number(ready[1]));
    });
    child.once('exit', () => reject(new Error(`${variant} exited early:\n${log}`)));
  });
  await autocannon({
    url: `http://127.0.0.1:${port}/greet`,
    method: 'POST',
    headers: { origin: ALLOWED_ORIGIN, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Alice', lang: 'es' }),
    connections: 4,
    amount: requests,
    timeout: 120,
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  const collected = /Collected : (\d+)/.exec(log)?.[1];
  if (!collected) throw new Error(`no instruction count for ${variant}:\n${log}`);
  return Number(collected);
}

const lines = ['| variant | instructions per POST /greet | vs no-cors |', '|---|---:|---:|'];
let floor = 0;
for (const variant of VARIANTS) {
  const perRequest = ((await instructions(variant, TO)) - (await instructions(variant, FROM))) / (TO - FROM);
  floor ||= perRequest;
  lines.push(`| ${variant} | ${perRequest.toFixed(0)} | ${((perRequest / floor) * 100).toFixed(1)}% |`);
  console.log(lines.at(-1));
}
console.log(`\n${lines.join('\n')}`);
