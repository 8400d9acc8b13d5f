/**
 * The package as a user gets it (`npm run test:consumer`): `npm pack`, then a
 * new Nest app in a temporary folder installs the tarball, takes the package
 * README's quick start as it stands, compiles it under the Nest starter's
 * tsconfig (strictNullChecks and noImplicitAny off) and under `strict`, starts
 * it, and a browser's preflights and request get the policy's answers.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/service-process.js';

const PACKAGE_DIR = join(ROOT, 'packages', 'nestjs-route-cors');
const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

/** The quick start's files: each code block preceded by `<!-- consumer: path -->`. */
function quickStartFiles(): Map<string, string> {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const files = new Map<string, string>();
  for (const [, path = '', code = ''] of readme.matchAll(/<!-- consumer: (\S+) -->\s*```ts\n([\s\S]*?)```/g)) {
    files.set(path, code);
  }
  return files;
}

function installedVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The Nest starter's compiler options (nest new, v11 and later), as a new user has them. */
const STARTER_OPTIONS = {
  module: 'nodenext',
  moduleResolution: 'nodenext',
  resolvePackageJsonExports: true,
  esModuleInterop: true,
  isolatedModules: true,
  declaration: true,
  removeComments: true,
  emitDecoratorMetadata: true,
  experimentalDecorators: true,
  allowSyntheticDefaultImports: true,
  target: 'ES2023',
  sourceMap: true,
  rootDir: './src',
  outDir: './dist',
  skipLibCheck: false,
  strictNullChecks: false,
  forceConsistentCasingInFileNames: true,
  noImplicitAny: false,
  strictBindCallApply: false,
  noFallthroughCasesInSwitch: false,
  types: ['node'],
};

/** Every public entry point's types, used the way a test suite uses them. */
const TYPES_CHECK = `
import type { CorsModuleOptions, CorsPolicyOptions, CorsRejectionEvent } from 'nestjs-route-cors';
import { expectCors, type CorsAnswer } from 'nestjs-route-cors/testing';
import { compilePolicy, decideCors } from 'nestjs-route-cors/core';

export const options: CorsModuleOptions = { policies: {}, onReject: (event: CorsRejectionEvent) => void event.reason };
export const policy: CorsPolicyOptions = { origins: ['https://a.example'] };
export const decision = decideCors(compilePolicy('p', policy), { method: 'GET', origin: undefined, selfOrigin: undefined, requestMethod: undefined, requestHeaders: undefined });
export type Answer = CorsAnswer;
export const helper = expectCors;
`;

/** Runs a command; a failure throws with everything it printed, so the test says why. */
function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout}${stderr}`);
  }
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

async function answering(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the consumer app exited (${child.exitCode}):\n${output()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the consumer app did not answer within 30 s:\n${output()}`);
}

describe('nestjs-route-cors installed from its tarball into a new Nest app', () => {
  const work = mkdtempSync(join(tmpdir(), 'consumer-'));
  const app = join(work, 'app');
  let tarball = '';
  let child: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], PACKAGE_DIR)) as Array<{ filename: string }>;
    tarball = join(work, packed[0]?.filename ?? '');
    mkdirSync(join(app, 'src'), { recursive: true });
    const dependencies = Object.fromEntries(
      ['@nestjs/common', '@nestjs/core', '@nestjs/platform-express', 'reflect-metadata', 'rxjs', 'supertest'].map((name) => [name, installedVersion(name)]),
    );
    const devDependencies = Object.fromEntries(['typescript', '@types/node', '@types/express', '@types/supertest'].map((name) => [name, installedVersion(name)]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { ...dependencies, 'nestjs-route-cors': `file:${tarball}` }, devDependencies }),
    );
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'], app);
    for (const [path, code] of quickStartFiles()) {
      mkdirSync(dirname(join(app, path)), { recursive: true });
      writeFileSync(join(app, path), code);
    }
    writeFileSync(join(app, 'src', 'types-check.ts'), TYPES_CHECK);
  }, 300_000);

  afterAll(async () => {
    child?.kill('SIGTERM');
    if (child && child.exitCode === null) await new Promise((resolve) => child?.once('exit', resolve));
    rmSync(work, { recursive: true, force: true });
  });

  it('packs only what users need: the build, README, CHANGELOG, LICENSE', () => {
    const files = run('tar', ['-tzf', tarball], work).trim().split('\n');
    expect(files).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/CHANGELOG.md', 'package/LICENSE', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/dist/index.js.map', 'package/dist/testing.js']));
    const unexpected = files.filter((file) => !/^package\/(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/.+\.(js|d\.ts|js\.map|d\.ts\.map))$/.test(file));
    expect(unexpected).toEqual([]);
    expect(files.filter((file) => /spec|fixture|bench/.test(file))).toEqual([]);
  });

  it('has a quick start of three files', () => {
    expect([...quickStartFiles().keys()].sort()).toEqual(['src/app.module.ts', 'src/main.ts', 'src/messages.controller.ts']);
  });

  /** Compiles the app into dist/ with these compiler options; tsc's output is the failure message. */
  function compileWith(compilerOptions: object): void {
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }));
    run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
  }

  it.each([
    ['strict: true', { ...STARTER_OPTIONS, strictNullChecks: undefined, noImplicitAny: undefined, strictBindCallApply: undefined, strict: true }],
    ["the Nest starter's tsconfig (strictNullChecks and noImplicitAny off)", STARTER_OPTIONS],
  ])('compiles under %s with module nodenext', (_label, compilerOptions) => {
    compileWith(compilerOptions);
  }, 120_000);

  describe('the quick start app, started', () => {
    let base = '';

    beforeAll(async () => {
      compileWith(STARTER_OPTIONS);
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      child = spawn(process.execPath, [join('dist', 'main.js')], { cwd: app, env: { PATH: process.env.PATH ?? '', PORT: String(port), NO_COLOR: '1' } });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await answering(`${base}/messages`, child, () => output);
    }, 180_000);

    const preflight = (origin: string) =>
      fetch(`${base}/messages`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
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
      const res = await fetch(`${base}/messages`, { method: 'POST', headers: { Origin: ALLOWED, 'Content-Type': 'application/json' }, body: '{"text":"hi"}' });
      expect(res.status).toBe(201);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(await res.json()).toEqual({ ok: true });
    });
  });
});
