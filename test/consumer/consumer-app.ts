/**
 * What every consumer test does with a new Nest app in a temporary folder:
 * install the packed tarball with a plain `npm install`, write the package
 * README's quick start, compile it, start it and send it a browser's
 * requests, and run the app's own test runner on `expectCors`.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/service-process.js';

export const PACKAGE_DIR = join(ROOT, 'packages', 'nestjs-route-cors');
export const ALLOWED = 'https://app.example.com';
export const EVIL = 'https://evil.example';

/** The tarball test/consumer/pack.js made for this run. */
export function packedTarball(): string {
  const tarball = process.env.NESTJS_ROUTE_CORS_TARBALL;
  if (tarball === undefined)
    throw new Error('no tarball: run the consumer tests with jest.consumer.config.js (npm run test:consumer)');
  return tarball;
}

/** The files a page of the package's docs shows: each code block preceded by `<!-- consumer: path -->`. */
export function documentedFiles(page: string): Map<string, string> {
  const text = readFileSync(join(PACKAGE_DIR, page), 'utf8');
  const files = new Map<string, string>();
  for (const [, path = '', code = ''] of text.matchAll(/<!-- consumer: (\S+) -->\s*```ts\n([\s\S]*?)```/g)) {
    files.set(path, code);
  }
  return files;
}

/** The README's quick start. */
export function quickStartFiles(): Map<string, string> {
  return documentedFiles('README.md');
}

/** Runs a command; a failure throws with everything it printed, so the test says why. */
export function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** Writes files (path relative to `dir` → content), creating their folders. */
export function writeFiles(dir: string, files: Iterable<readonly [string, string]>): void {
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/**
 * A new app as its starter makes it (package.json, configuration files), with
 * the tarball and the quick start, installed by a plain `npm install`: no
 * `--legacy-peer-deps`, no overrides, so a peer range that excludes the app's
 * Nest fails here as it would for a user. Returns what npm printed, warnings
 * included.
 */
export function createApp(
  dir: string,
  packageJson: { readonly dependencies: Record<string, string> } & Record<string, unknown>,
  files: Record<string, string>,
): string {
  const manifest = {
    ...packageJson,
    dependencies: { ...packageJson.dependencies, 'nestjs-route-cors': `file:${packedTarball()}` },
  };
  writeFiles(dir, [
    ['package.json', `${JSON.stringify(manifest, null, 2)}\n`],
    ...quickStartFiles(),
    ...Object.entries(files),
  ]);
  const installed = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  const output = `${installed.stdout}${installed.stderr}`;
  if (installed.status !== 0) throw new Error(`npm install failed:\n${output}`);
  return output;
}

/** The version npm installed in the app. */
export function installedVersion(app: string, name: string): string {
  return (JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
    .version;
}

/** Compiles with the app's TypeScript and the given project file; tsc's output is the failure message. */
export function compile(app: string, project: string): void {
  run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], app);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningApp {
  readonly base: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/** Starts `node <script>` in the app with PORT set, and waits until it answers. */
export async function startApp(app: string, script: string): Promise<RunningApp> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [script], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), NO_COLOR: '1' },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${script} exited (${child.exitCode}):\n${output}`);
    try {
      await fetch(`${base}/messages`);
      return { base, output: () => output, stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await stop();
  throw new Error(`${script} did not answer within 30 s:\n${output}`);
}

/** The browser's requests to the quick start's `/messages`, and the answers its policy gives. */
export function describeQuickStartAnswers(started: () => RunningApp): void {
  const preflight = (origin: string): Promise<Response> =>
    fetch(`${started().base}/messages`, {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type',
      },
    });

  it('answers an allowed preflight with 204 and the policy', async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type');
  });

  it('refuses a preflight from another origin with 403 and no Access-Control-* header', async () => {
    const res = await preflight(EVIL);
    expect(res.status).toBe(403);
    expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('lets the allowed origin read the actual request', async () => {
    const res = await fetch(`${started().base}/messages`, {
      method: 'POST',
      headers: { Origin: ALLOWED, 'Content-Type': 'application/json' },
      body: '{"text":"hi"}',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(await res.json()).toEqual({ ok: true });
  });
}

export type Platform = 'express' | 'fastify';

/** The quick start's main.ts on Fastify: the README's is Express's, the module and controller serve both. */
export const FASTIFY_MAIN = `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter());
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
void bootstrap();
`;

/** The title of the test that must fail, and what its message must say. */
export const FAILING_TEST = 'lets another site post (fails on purpose)';

/**
 * The app's e2e test of its CORS with `nestjs-route-cors/testing`, written
 * as a user writes it for any runner: the runner's globals, no runner import.
 * One test passes; one expects a refused origin to be allowed and must fail.
 */
export function expectCorsSpec(platform: Platform): string {
  const fastify = platform === 'fastify';
  return `import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
${fastify ? "import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';\n" : ''}import { expectCors } from 'nestjs-route-cors/testing';
import { AppModule } from '../src/app.module.js';

describe('CORS of /messages on ${platform}', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleFixture = await Test.createTestingModule({ imports: [AppModule] }).compile();
    ${fastify ? 'app = moduleFixture.createNestApplication<NestFastifyApplication>(new FastifyAdapter());' : 'app = moduleFixture.createNestApplication();'}
    await app.init();${fastify ? '\n    await app.getHttpAdapter().getInstance().ready();' : ''}
  });

  afterAll(async () => {
    await app.close();
  });

  it('lets the front end post JSON', async () => {
    await expectCors(app).preflight('/messages', { origin: '${ALLOWED}', method: 'POST', headers: ['content-type'] }).toBeAllowed();
    await expectCors(app).actual('/messages', { origin: '${ALLOWED}', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { text: 'hi' } }).toBeAllowed();
    await expectCors(app).preflight('/messages', { origin: '${EVIL}', method: 'POST', headers: ['content-type'] }).toBeRefused();
  });

  it('${FAILING_TEST}', async () => {
    await expectCors(app).preflight('/messages', { origin: '${EVIL}', method: 'POST', headers: ['content-type'] }).toBeAllowed();
  });
});
`;
}

/** A test runner's verdicts, from its JSON report (Jest's format, which Vitest's JSON reporter writes too). */
export interface RunnerVerdicts {
  readonly passed: string[];
  readonly failed: Array<{ readonly title: string; readonly message: string }>;
  readonly output: string;
}

interface JsonReport {
  readonly testResults: ReadonlyArray<{
    readonly message?: string;
    readonly assertionResults: ReadonlyArray<{
      readonly title: string;
      readonly status: string;
      readonly failureMessages: readonly string[];
    }>;
  }>;
}

/**
 * Runs the app's test runner, which must exit with a failure (one test fails
 * on purpose), and reads its JSON report.
 */
export function runTests(app: string, command: string, args: readonly string[], report: string): RunnerVerdicts {
  const result = spawnSync(command, args, {
    cwd: app,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' },
  });
  const output = `${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`;
  let parsed: JsonReport;
  try {
    parsed = JSON.parse(readFileSync(join(app, report), 'utf8')) as JsonReport;
  } catch {
    throw new Error(`no JSON report from the runner\n${output}`);
  }
  const assertions = parsed.testResults.flatMap((file) => file.assertionResults);
  const suiteErrors = parsed.testResults.map((file) => file.message ?? '').filter((message) => message !== '');
  if (assertions.length === 0) throw new Error(`the runner ran no test\n${suiteErrors.join('\n')}\n${output}`);
  return {
    passed: assertions.filter((a) => a.status === 'passed').map((a) => a.title),
    failed: assertions
      .filter((a) => a.status === 'failed')
      .map((a) => ({ title: a.title, message: a.failureMessages.join('\n') })),
    output,
  };
}

/** The failure message a page of the package's docs shows (its code block that starts "expected the"), line by line. */
export function documentedFailure(page: string): string[] {
  const block = /```\n(expected the [\s\S]*?)```/.exec(readFileSync(join(PACKAGE_DIR, page), 'utf8'))?.[1];
  if (block === undefined) throw new Error(`${page} shows no failure message`);
  return block.trim().split('\n');
}

/**
 * The test that passes passed, the one that fails failed, and its message
 * says why, as the module's debug log does, and as the README and
 * docs/testing.md show it.
 */
export function expectRunnerVerdicts(verdicts: RunnerVerdicts): void {
  expect({ passed: verdicts.passed, failed: verdicts.failed.map((f) => f.title) }).toEqual({
    passed: ['lets the front end post JSON'],
    failed: [FAILING_TEST],
  });
  const message = verdicts.failed[0]?.message ?? '';
  expect(message).toContain(`Why: refused: origin "${EVIL}" is not in policy 'frontend' (allowed: ${ALLOWED})`);
  for (const line of [...documentedFailure('README.md'), ...documentedFailure('docs/testing.md')])
    expect(message).toContain(line);
}

/**
 * The quick start on each platform, in an app at `work`: started, its answers
 * checked, then the app's own test runner (`runner`, named for the test) on
 * the `expectCors` tests: the passing one passes, the failing one fails with
 * the reason.
 */
export function describeEachPlatform(
  work: string,
  runner: string,
  runTestsOn: (platform: Platform) => RunnerVerdicts,
): void {
  describe.each<[Platform, string]>([
    ['express', join('dist', 'main.js')],
    ['fastify', join('dist', 'main-fastify.js')],
  ])('on %s', (platform, main) => {
    let started: RunningApp | undefined;
    const app = (): RunningApp => {
      if (started === undefined) throw new Error('the app did not start');
      return started;
    };

    beforeAll(async () => {
      started = await startApp(work, main);
    }, 60_000);

    afterAll(() => started?.stop());

    describeQuickStartAnswers(app);

    it(`runs the app's ${runner} on expectCors: the passing test passes, the failing one fails with the reason`, () => {
      expectRunnerVerdicts(runTestsOn(platform));
    }, 120_000);
  });
}
