/**
 * `cors:explain` and `cors:routes` (issue 6): the explanation must agree with
 * what the real server answers for the same request.
 */
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CorsExplainInput, CorsExplainInputError, CorsPolicies } from 'nestjs-route-cors';
import { HTTP_ADAPTER, startApp, useApp } from './app.harness.js';
import { expectExplanationAgrees, input, json } from './support/explain-agreement.js';
import { listeningPort, ROOT, runService } from './support/service-process.js';

const run = promisify(execFile);

describe('cors:explain agrees with the greet service', () => {
  const running = useApp(() => startApp());

  it.each([
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
  ])('%j', (explainInput) => expectExplanationAgrees(running.app(), explainInput));
});

describe('explanations in plain words', () => {
  const running = useApp(() => startApp());
  const explain = (explainInput: CorsExplainInput) => running.app().get(CorsPolicies).explain(explainInput);

  it.each([
    [
      input('https://evil.com', 'POST', '/greet', json),
      `refused: origin "https://evil.com" is not in policy 'frontend' (allowed: http://localhost:1234, https://app.example.com)`,
    ],
    [
      input('http://localhost:1234', 'POST', '/greet', [...json, { name: 'x-evil' }]),
      `refused: header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type)`,
    ],
    [input('http://localhost:1234', 'DELETE', '/greet'), 'no route serves DELETE /greet (routes there: POST; GET)'],
    [
      input('http://localhost:1234', 'POST', '/greet', json, true),
      `refused: policy 'frontend' does not allow credentials, so a request with credentials: 'include' is blocked`,
    ],
    [
      input('http://localhost:1234', 'GET', '/health'),
      'refused: the GET handler at /health has no CORS policy, so its answer carries no Access-Control-Allow-Origin',
    ],
    [
      input('http://localhost:1234', 'POST', '/greet', json),
      `allowed: http://localhost:1234 may POST /greet under policy 'frontend' and read the answer`,
    ],
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

  it.each([
    input('not a url', 'POST', '/greet'),
    input('http://localhost:1234/', 'POST', '/greet'),
    input('http://localhost:1234', 'GET', '/nope'),
  ])('rejects bad input %j', async (explainInput) => {
    await expect(explain(explainInput)).rejects.toThrow(CorsExplainInputError);
  });
});

describe('the commands', () => {
  const node = (script: string, args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, [join(ROOT, 'dist', 'cli', script), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HTTP_ADAPTER, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout + error.stderr,
      }),
    );

  it.each([
    [
      ['--origin', 'http://localhost:1234', '--method', 'POST', '--path', '/greet', '--header', 'content-type'],
      0,
      /^allowed: /m,
    ],
    [
      ['--origin', 'https://evil.com', '--method', 'POST', '--path', '/greet', '--header', 'content-type'],
      1,
      /^refused: origin "https:\/\/evil.com" is not in policy 'frontend'/m,
    ],
    // The version of the policies the answer was decided under, to compare instances by.
    [
      ['--origin', 'http://localhost:1234', '--method', 'POST', '--path', '/greet'],
      0,
      /\n\nPolicies: version 0, the configuration's \(configuration [0-9a-f]{12}\)\n$/,
    ],
    [['--origin', 'https://evil.com', '--path', '/nope'], 2, /no route serves GET \/nope/],
    // A 204 that grants the origin, refused by the browser all the same: said beside the answer, not only at the end.
    [
      [
        '--origin',
        'http://localhost:1234',
        '--method',
        'POST',
        '--path',
        '/greet',
        '--header',
        'content-type',
        '--credentials',
      ],
      1,
      /^ {2}status: 204\n(?: {2}.*\n)* {2}accepted by the browser: no\n\nActual request \(POST \/greet\): not sent/m,
    ],
    [
      ['--origin', 'http://localhost:1234', '--path', '/socket.io/'],
      0,
      /^allowed: http:\/\/localhost:1234 may connect to GreetGateway/m,
    ],
    [
      ['--origin', 'https://evil.com', '--path', '/socket.io/'],
      1,
      /^refused: origin "https:\/\/evil.com" is not in policy 'frontend \+ GreetGateway.handshake'.*403 and no connection/m,
    ],
    [['--origin', 'not a url', '--path', '/greet'], 2, /the origin "not a url"/],
    [['--path', '/greet'], 2, /--origin and --path are required/],
    [
      [
        '--origin',
        'https://app.example.com',
        '--method',
        'POST',
        '--path',
        '/greet',
        '--header',
        'content-type',
        '--host',
        'localhost',
      ],
      0,
      /^Note: Chrome 142\+ asks the user before a page on https:\/\/app\.example\.com reaches localhost, a loopback address \(Local Network Access\); refused, the page gets "Permission was denied for this request to access the `loopback` address space\." before any CORS check\.$/m,
    ],
    [
      [
        '--origin',
        'http://localhost:1234',
        '--method',
        'POST',
        '--path',
        '/greet',
        '--header',
        'content-type',
        '--host',
        'localhost',
      ],
      0,
      /^allowed: (?![\s\S]*Local Network Access)/m,
    ],
  ])(
    'cors:explain %j exits %i',
    async (args, code, output) => {
      const result = await node('cors-explain.js', args);
      expect(result.code).toBe(code);
      expect(result.stdout).toMatch(output);
    },
    30_000,
  );

  it('cors:explain under CORS_MODE=report-only says that nothing it shows is written, and only then', async () => {
    const args = ['--origin', 'https://evil.com', '--method', 'POST', '--path', '/greet', '--header', 'content-type'];
    const reportOnly = await node('cors-explain.js', args, { CORS_MODE: 'report-only' });
    expect(reportOnly.code).toBe(1); // refused, as without report-only: the exit code is the policy's verdict
    expect(reportOnly.stdout).toMatch(/^Mode: report-only\. The application decides as below but writes none of it/m);
    expect(reportOnly.stdout).toMatch(/^refused: origin "https:\/\/evil\.com" is not in policy 'frontend'/m);
    expect((await node('cors-explain.js', args)).stdout).not.toMatch(/^Mode:/m);
  }, 30_000);

  it('answer through npm without building again when nothing changed since the last build', async () => {
    // Jest's global set-up has built dist/ from the current sources.
    const builtAt = () => statSync(join(ROOT, 'dist', 'main.js')).mtimeMs;
    const before = builtAt();
    const { stdout, stderr } = await run('npm', ['run', '--silent', 'cors:explain', '--', '--help'], { cwd: ROOT });
    expect(stdout).toContain('Usage: npm run cors:explain');
    expect(stderr).toBe('');
    expect(builtAt()).toBe(before);
  }, 30_000);

  it('cors:routes prints the same table the service logs at start-up', async () => {
    // Not the default configuration, so that both must read the environment to agree.
    const env = { CORS_ALLOWED_ORIGINS: 'https://*.example.org,https://app.test', CORS_ALLOW_CREDENTIALS: 'true' };
    const service = runService({ PORT: '0', ...env });
    try {
      await listeningPort(service);
      const logged = /CORS policies by route:\n([\s\S]*?)\n\[Nest\]/.exec(service.output())?.[1];
      const loggedGateways = /CORS policies by gateway:\n([\s\S]*?)\n\[Nest\]/.exec(service.output())?.[1];
      expect(logged).toContain('https://*.example.org');
      expect(loggedGateways).toMatch(/^WS +\/socket\.io\/ → GreetGateway \(socket\.io\) +frontend/m);
      const result = await node('cors-routes.js', [], env);
      expect(result.code).toBe(0);
      const [tables, suffixes] = result.stdout.trim().split('\n\nPublic suffixes: ');
      expect(tables).toBe(`Routes:\n${logged}\n\nWebSocket gateways:\n${loggedGateways}`);
      // Then the version of the policies, as an operator compares instances by: the configuration's, by its fingerprint.
      expect(suffixes).toMatch(
        /^Public Suffix List of tldts \d+\.\d+\.\d+\nPolicies: version 0, the configuration's \(configuration [0-9a-f]{12}\)$/,
      );
    } finally {
      service.child.kill('SIGKILL');
      await service.exited;
    }
    // Two processes start here (the service, then the command): on a loaded 2-core machine that takes seconds.
  }, 30_000);

  it('cors:routes --json prints the report verify reads', async () => {
    const result = await node('cors-routes.js', ['--json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      routes: Array<{ method: string; path: string; policy: { name: string; origins: unknown } | null }>;
      publicSuffixList: string;
      policyVersion: unknown;
    };
    expect(report.routes).toContainEqual(
      expect.objectContaining({
        method: 'POST',
        path: '/greet',
        policy: expect.objectContaining({
          name: 'frontend',
          origins: ['http://localhost:1234', 'https://app.example.com'],
        }),
      }),
    );
    expect(report.publicSuffixList).toMatch(/^Public Suffix List of tldts /);
    expect(report.policyVersion).toEqual({ number: 0, source: 'configuration', configuration: expect.any(String) });
  }, 30_000);

  describe('cors:audit', () => {
    const CREDENTIALED = { CORS_ALLOW_CREDENTIALS: 'true' };

    it.each<[string, string[], Record<string, string>, number, RegExp]>([
      ['the default configuration audits clean', [], {}, 0, /^CORS audit: no findings\.$/m],
      [
        'credentials on the non-strict POST /greet fail at the default level',
        [],
        CREDENTIALED,
        1,
        /^MEDIUM credentials-without-csrf-protection: policy 'frontend'[\s\S]*routes: POST \/greet/m,
      ],
      [
        '--fail-on high lets a medium finding pass',
        ['--fail-on', 'high'],
        CREDENTIALED,
        0,
        /CORS audit: 1 finding \(0 high, 1 medium, 0 low, 0 info\)/,
      ],
      ['--fail-on medium fails it', ['--fail-on', 'medium'], CREDENTIALED, 1, /credentials-without-csrf-protection/],
      ['an unknown format is bad input', ['--format', 'xml'], {}, 2, /--format xml is none of text, json, sarif/],
      [
        '--fail-on info is bad input: info never fails',
        ['--fail-on', 'info'],
        {},
        2,
        /--fail-on info is none of high, medium, low/,
      ],
    ])(
      '%s',
      async (_label, args, env, code, output) => {
        const result = await node('cors-audit.js', args, env);
        expect(result.stdout).toMatch(output);
        expect(result.code).toBe(code);
      },
      30_000,
    );

    it('prints JSON findings and a SARIF 2.1.0 log', async () => {
      const json = await node('cors-audit.js', ['--format', 'json'], CREDENTIALED);
      expect(
        (JSON.parse(json.stdout) as Array<{ code: string; policy: string; routes: string[] }>).map(
          ({ code, policy, routes }) => ({ code, policy, routes }),
        ),
      ).toEqual([{ code: 'credentials-without-csrf-protection', policy: 'frontend', routes: ['POST /greet'] }]);
      const sarif = await node('cors-audit.js', ['--format', 'sarif'], CREDENTIALED);
      const log = JSON.parse(sarif.stdout) as {
        version: string;
        runs: Array<{ results: Array<{ ruleId: string; level: string }> }>;
      };
      expect(log.version).toBe('2.1.0');
      expect(log.runs[0]?.results.map((r) => [r.ruleId, r.level])).toEqual([
        ['credentials-without-csrf-protection', 'warning'],
      ]);
    }, 30_000);

    it('finds exposeRejectionReason only where the service would not set it: never in its own production configuration', async () => {
      const result = await node('cors-audit.js', [], {
        NODE_ENV: 'production',
        CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      });
      expect(result.stdout).toMatch(/^CORS audit: no findings\.$/m);
      expect(result.code).toBe(0);
    }, 30_000);
  });
});
