/**
 * `nestjs-route-cors verify` against the real stack (issue 33): the built
 * service behind nginx (deploy/nginx.conf.template). The template as shipped
 * verifies clean; four broken copies each fail with the finding they cause,
 * seen only from in front of nginx: the app itself answers correctly.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Nginx, startNginx } from '../support/nginx.js';
import { listeningPort, ROOT, runService, type ServiceProcess } from '../support/service-process.js';

const run = promisify(execFile);
const VERIFY = join(ROOT, 'packages', 'nestjs-route-cors', 'dist', 'bin', 'nestjs-route-cors.js');
const ENV = {
  NODE_ENV: 'production',
  CORS_ALLOWED_ORIGINS: 'https://app.example.com,https://shop.example.com',
  TRUST_PROXY: 'loopback',
};
/** A GET /greet nginx may cache (the app answers it 200 with Cache-Control: public): without a name it is a 400, which no cache keeps. */
const SAMPLE = '/greet?name=Alice&lang=es';
const LOCATION = 'location / {';

let instance: ServiceProcess | undefined;
let upstream = 0;
let reportFile = '';
const durations: Record<string, number> = {};

beforeAll(async () => {
  instance = runService({ PORT: '0', ...ENV });
  upstream = await listeningPort(instance);
  const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'cli', 'cors-routes.js'), '--json'], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? '', ...ENV },
  });
  reportFile = join(mkdtempSync(join(tmpdir(), 'verify-')), 'routes.json');
  writeFileSync(reportFile, stdout);
}, 60_000);

afterAll(async () => {
  console.log(`verify through nginx, seconds per configuration (nginx start + verify): ${JSON.stringify(durations)}`);
  instance?.child.kill('SIGKILL');
  await instance?.exited;
});

/** Adds directives to the template's one location. */
function inLocation(directives: string): (config: string) => string {
  return (config) => {
    if (!config.includes(LOCATION)) throw new Error(`the template no longer has "${LOCATION}": update this test`);
    return config.replace(LOCATION, `${LOCATION}\n            ${directives}`);
  };
}

/** Runs verify through nginx with the template as `edit` leaves it. */
async function verifyThrough(
  name: string,
  edit?: (config: string) => string,
): Promise<{ code: number; output: string }> {
  const started = performance.now();
  // The name becomes part of nginx's directory, whose path the configuration repeats unquoted.
  const nginx: Nginx = await startNginx([upstream], name.replace(/[^A-Za-z0-9]+/g, '-'), edit);
  try {
    const args = [VERIFY, 'verify', '--report', reportFile, '--sample', SAMPLE, `http://127.0.0.1:${nginx.port}`];
    return await run(process.execPath, args).then(
      ({ stdout }) => ({ code: 0, output: stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        output: error.stdout + error.stderr,
      }),
    );
  } finally {
    nginx.process.kill('SIGQUIT');
    durations[name] = Math.round(performance.now() - started) / 1000;
  }
}

describe('verify through nginx', () => {
  it('finds nothing wrong with the template as shipped', async () => {
    const { code, output } = await verifyThrough('clean');
    expect(output).toMatch(/^verify: 0 findings over \d+ requests to http:\/\/127\.0\.0\.1:\d+, 3 routes\.$/m);
    expect(code).toBe(0);
  });

  it.each<[string, string, RegExp]>([
    [
      'an extra add_header Access-Control-Allow-Origin *',
      'add_header Access-Control-Allow-Origin * always;',
      /^duplicate-allow-origin: GET \/greet\?name=Alice&lang=es from https:\/\/app\.example\.com got 2 Access-Control-Allow-Origin values \(https:\/\/app\.example\.com, \*\)/m,
    ],
    [
      'proxy_hide_header Vary',
      'proxy_hide_header Vary;',
      /^missing-vary-origin: GET \/greet\?name=Alice&lang=es from https:\/\/app\.example\.com got no Vary: Origin/m,
    ],
    [
      'return 301 on OPTIONS',
      'if ($request_method = OPTIONS) { return 301 https://$host$request_uri; }',
      /^redirected-preflight: OPTIONS \(preflight for POST\) \/greet\?name=Alice&lang=es from https:\/\/app\.example\.com was answered 301 \(Location: https:\/\/127\.0\.0\.1/m,
    ],
    [
      'a cache keyed without the origin',
      'proxy_ignore_headers Vary;',
      /^answer-for-another-origin: GET \/greet\?name=Alice&lang=es from https:\/\/shop\.example\.com got the answer for https:\/\/app\.example\.com/m,
    ],
  ])('fails with its finding behind %s', async (label, directives, finding) => {
    const { code, output } = await verifyThrough(label, inLocation(directives));
    expect(output).toMatch(finding);
    expect(code).toBe(1);
  });
});
