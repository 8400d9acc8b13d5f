/**
 * `cors:explain` and `cors:routes` (issue 6): the explanation must agree with
 * what the real server answers for the same request.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import {
  type CorsExplainInput,
  type CorsExplanation,
  CorsExplainInputError,
  CorsRouteTable,
  explainCorsRequest,
  formatExplanation,
  formatRouteTable,
} from '../src/cors/index.js';
import { startApp, startModule, useApp } from './app.harness.js';
import { ALLOWED, FixtureModule, PARTNER } from './fixtures/fixture.module.js';
import { ensureBuilt, ROOT } from './support/service-process.js';

const run = promisify(execFile);

interface Observed {
  readonly preflightStatus: number | undefined;
  readonly preflightAllowOrigin: string | undefined;
  readonly actualAllowOrigin: string | undefined;
  readonly actualStatus: number | undefined;
  readonly readable: boolean;
}

/** Sends what a browser would send for `input` and applies the browser's CORS checks. */
async function observe(server: App, input: CorsExplainInput, needsPreflight: boolean): Promise<Observed> {
  const method = input.method.toUpperCase();
  let preflightStatus: number | undefined;
  let preflightAllowOrigin: string | undefined;
  if (needsPreflight) {
    const names = input.headers.map((h) => h.name.toLowerCase()).join(',');
    let pre = request(server).options(input.path).set('Origin', input.origin).set('Access-Control-Request-Method', method);
    if (names) pre = pre.set('Access-Control-Request-Headers', names);
    const answer = await pre;
    preflightStatus = answer.status;
    preflightAllowOrigin = answer.headers['access-control-allow-origin'];
    const credentialsOk = !input.credentials || answer.headers['access-control-allow-credentials'] === 'true';
    if (answer.status !== 204 || !preflightAllowOrigin || !credentialsOk) {
      return { preflightStatus, preflightAllowOrigin, actualAllowOrigin: undefined, actualStatus: undefined, readable: false };
    }
  }
  let actual = request(server)[method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](input.path).set('Origin', input.origin);
  for (const { name, value } of input.headers) actual = actual.set(name, value ?? (name.toLowerCase() === 'content-type' ? 'application/json' : 'x'));
  const answer = method === 'GET' ? await actual : await actual.send('{"name":"Alice"}');
  const allowOrigin: string | undefined = answer.headers['access-control-allow-origin'];
  const credentialsOk = !input.credentials || (answer.headers['access-control-allow-credentials'] === 'true' && allowOrigin !== '*');
  return {
    preflightStatus,
    preflightAllowOrigin,
    actualAllowOrigin: allowOrigin,
    actualStatus: answer.status,
    readable: (allowOrigin === '*' || allowOrigin === input.origin) && credentialsOk,
  };
}

function header(headers: ReadonlyArray<readonly [string, string]> | undefined, name: string): string | undefined {
  return headers?.find(([key]) => key === name)?.[1];
}

const json = [{ name: 'Content-Type' }];
const input = (origin: string, method: string, path: string, headers: CorsExplainInput['headers'] = [], credentials = false): CorsExplainInput => ({
  origin,
  method,
  path,
  headers,
  credentials,
});

describe.each([
  [
    'the greet service',
    () => startApp(),
    [
      input('http://localhost:1234', 'POST', '/greet', json),
      input('https://evil.com', 'POST', '/greet', json),
      input('http://localhost:1234', 'POST', '/greet', [...json, { name: 'X-Evil' }]),
      input('http://localhost:1234', 'POST', '/greet', [{ name: 'Authorization' }]),
      input('http://localhost:1234', 'POST', '/greet', [{ name: 'Content-Type', value: 'text/plain' }]),
      input('https://evil.com', 'POST', '/greet', [{ name: 'Content-Type', value: 'text/plain' }]),
      input('http://localhost:1234', 'POST', '/greet', json, true),
      input('https://evil.com', 'GET', '/greet/languages'),
      input('https://evil.com', 'GET', '/greet/languages', [], true),
      input('http://localhost:1234', 'GET', '/health'),
      input('null', 'POST', '/greet', json),
    ],
  ],
  [
    'the fixture app',
    () => startModule(FixtureModule),
    [
      input(ALLOWED, 'POST', '/account/profile', json, true),
      input(ALLOWED, 'PUT', '/items/7', [{ name: 'X-Trace' }]),
      input(ALLOWED, 'DELETE', '/items/7'),
      input(ALLOWED, 'patch', '/items/7'),
      input('https://evil.com', 'POST', '/bank/transfer'),
      input(PARTNER, 'GET', '/partner'),
      input('https://broken.example.net', 'GET', '/partner'),
    ],
  ],
])('cors:explain agrees with %s', (_name, start, cases) => {
  const running = useApp(start);

  it.each(cases)('%j', async (explainInput) => {
    let explanation: CorsExplanation;
    try {
      explanation = await explainCorsRequest(running.app().get(CorsRouteTable), explainInput);
    } catch (error) {
      if (!(error instanceof CorsExplainInputError)) throw error;
      // Only a method no handler serves is bad input here; the server answers it 404.
      const answer = await request(running.server()).patch(explainInput.path).set('Origin', explainInput.origin);
      expect(explainInput.method).toBe('patch');
      expect(answer.status).toBe(404);
      return;
    }
    const observed = await observe(running.server(), explainInput, explanation.preflight.needed);
    expect(formatExplanation(explanation)).toContain(explanation.verdict);
    expect({
      preflightStatus: explanation.preflight.response?.status,
      preflightAllowOrigin: header(explanation.preflight.response?.headers, 'Access-Control-Allow-Origin'),
      actualAllowOrigin: header(explanation.actual.response?.headers, 'Access-Control-Allow-Origin'),
      readable: explanation.allowed,
    }).toEqual({
      preflightStatus: observed.preflightStatus,
      preflightAllowOrigin: observed.preflightAllowOrigin,
      actualAllowOrigin: observed.actualAllowOrigin,
      readable: observed.readable,
    });
    if (explanation.actual.response?.status === 403) {
      expect(observed.actualStatus).toBe(403);
    }
  });
});

describe('explanations in plain words', () => {
  const running = useApp(() => startApp());
  const explain = (explainInput: CorsExplainInput) => explainCorsRequest(running.app().get(CorsRouteTable), explainInput);

  it.each([
    [input('https://evil.com', 'POST', '/greet', json), `refused: origin "https://evil.com" is not in policy 'frontend' (allowed: http://localhost:1234, https://app.example.com)`],
    [input('http://localhost:1234', 'POST', '/greet', [...json, { name: 'x-evil' }]), `refused: header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type)`],
    [input('http://localhost:1234', 'DELETE', '/greet'), 'no route serves DELETE /greet (routes there: POST; GET)'],
    [input('http://localhost:1234', 'POST', '/greet', json, true), `refused: policy 'frontend' does not allow credentials, so a request with credentials: 'include' is blocked`],
    [input('http://localhost:1234', 'GET', '/health'), 'refused: the GET handler at /health has no CORS policy, so its answer carries no Access-Control-Allow-Origin'],
    [input('http://localhost:1234', 'POST', '/greet', json), `allowed: http://localhost:1234 may POST /greet under policy 'frontend' and read the answer`],
  ])('%j → %s', async (explainInput, sentence) => {
    const verdict = await explain(explainInput).then(
      (explanation) => explanation.verdict,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    expect(verdict).toBe(sentence);
  });

  it('says why a preflight is sent, or not', async () => {
    expect((await explain(input('http://localhost:1234', 'POST', '/greet', json))).preflight.why).toBe(
      'the request sets content-type, which is not CORS-safelisted',
    );
    expect((await explain(input('http://localhost:1234', 'GET', '/greet/languages'))).preflight.needed).toBe(false);
  });

  it.each([input('not a url', 'POST', '/greet'), input('http://localhost:1234/', 'POST', '/greet'), input('http://localhost:1234', 'GET', '/nope')])(
    'rejects bad input %j',
    async (explainInput) => {
      await expect(explain(explainInput)).rejects.toThrow(CorsExplainInputError);
    },
  );
});

describe('the commands', () => {
  beforeAll(ensureBuilt, 120_000);
  const node = (script: string, args: string[]) =>
    run(process.execPath, [join(ROOT, 'dist', 'cli', script), ...args], { cwd: ROOT, env: { PATH: process.env.PATH } }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout + error.stderr }),
    );

  it.each([
    [['--origin', 'http://localhost:1234', '--method', 'POST', '--path', '/greet', '--header', 'content-type'], 0, /^allowed: /m],
    [['--origin', 'https://evil.com', '--method', 'POST', '--path', '/greet', '--header', 'content-type'], 1, /^refused: origin "https:\/\/evil.com" is not in policy 'frontend'/m],
    [['--origin', 'https://evil.com', '--path', '/nope'], 2, /no route serves GET \/nope/],
    [['--origin', 'not a url', '--path', '/greet'], 2, /--origin "not a url"/],
    [['--path', '/greet'], 2, /--origin and --path are required/],
  ])('cors:explain %j exits %i', async (args, code, output) => {
    const result = await node('cors-explain.js', args);
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(output);
  });

  it('cors:routes prints the same table the service logs at start-up', async () => {
    const app = await startApp();
    try {
      const result = await node('cors-routes.js', []);
      expect(result.code).toBe(0);
      expect(result.stdout.trim()).toBe(formatRouteTable(app.get(CorsRouteTable).routes));
    } finally {
      await app.close();
    }
  });
});
