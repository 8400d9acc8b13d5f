/**
 * Issue 18: the environment through @nestjs/config (a `.env` file, real
 * variables winning, every bad setting named), and the OpenAPI document whose
 * operations carry the CORS policy the service enforces.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { CorsPolicies } from 'nestjs-route-cors';
import type { CorsOpenApiExtension as CorsExtension } from 'nestjs-route-cors/openapi';
import { HTTP_ADAPTER, preflight, startApp, useApp } from './app.harness.js';
import { listeningPort, ROOT, runService, type ServiceProcess } from './support/service-process.js';

const run = promisify(execFile);

describe('configuration from a .env file', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dotenv-'));
  let service: ServiceProcess | undefined;
  afterEach(async () => {
    service?.child.kill('SIGTERM');
    await service?.exited;
    service = undefined;
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('reads .env, and a real variable wins over the same setting there', async () => {
    writeFileSync(
      join(folder, '.env'),
      'CORS_ALLOWED_ORIGINS=https://from-dotenv.example\nCORS_ALLOW_CREDENTIALS=true\nHOST=\n',
    );
    service = runService({ PORT: '0', CORS_ALLOWED_ORIGINS: 'https://from-env.example' }, folder);
    const server = `http://localhost:${await listeningPort(service)}`;
    const fromEnv = await preflight(server, '/greet', 'https://from-env.example', 'POST', 'content-type');
    expect(fromEnv.status).toBe(204);
    // CORS_ALLOW_CREDENTIALS came from .env, which nothing overrode.
    expect(fromEnv.headers['access-control-allow-credentials']).toBe('true');
    const fromDotenv = await preflight(server, '/greet', 'https://from-dotenv.example', 'POST', 'content-type');
    expect(fromDotenv.status).toBe(403);
  }, 30_000);

  it.each([
    [
      'PORT=eighty\nLOG_LEVEL=loud\n',
      [
        'PORT "eighty" must be a whole number from 0 to 65535 (set in .env)',
        'LOG_LEVEL "loud" must be one of error, warn, log, debug, verbose (set in .env)',
      ],
    ],
    ['API_DOCS=sometimes\n', ['API_DOCS "sometimes" must be true or false']],
    [
      'NODE_ENV=production\nCORS_ALLOWED_ORIGINS=http://localhost:1234\n',
      [
        'CORS_ALLOWED_ORIGINS entry "http://localhost:1234" is a local origin, refused when NODE_ENV=production (set in .env)',
      ],
    ],
  ])(
    'refuses every bad setting of a .env file at once, naming it, exit 1 without a stack: %j',
    async (dotenv, messages) => {
      writeFileSync(join(folder, '.env'), dotenv);
      service = runService({}, folder);
      expect(await service.exited).toBe(1);
      for (const message of messages) expect(service.output()).toContain(message);
      expect(service.output()).not.toMatch(/\n\s+at /);
    },
    30_000,
  );

  it('says which bad value came from the real environment and which from .env', async () => {
    writeFileSync(join(folder, '.env'), 'LOG_LEVEL=loud\n');
    service = runService({ PORT: 'eighty' }, folder);
    expect(await service.exited).toBe(1);
    expect(service.output()).toContain('PORT "eighty" must be a whole number from 0 to 65535 (set in the environment)');
    expect(service.output()).toContain(
      'LOG_LEVEL "loud" must be one of error, warn, log, debug, verbose (set in .env)',
    );
  }, 30_000);
});

describe('OpenAPI document', () => {
  const running = useApp(() => startApp());
  const server = (): App => running.server();

  interface Operation {
    readonly summary?: string;
    readonly description?: string;
    readonly responses: Record<
      string,
      {
        readonly headers?: Record<string, { readonly description?: string }>;
        readonly content?: Record<string, { readonly example?: unknown }>;
      }
    >;
    readonly 'x-cors'?: CorsExtension;
    readonly parameters?: ReadonlyArray<{ readonly name: string; readonly in: string }>;
  }
  interface Document {
    readonly paths: Record<string, Record<string, Operation>>;
    readonly components: {
      readonly schemas: Record<
        string,
        { readonly properties: Record<string, Record<string, unknown>>; readonly required?: string[] }
      >;
    };
  }
  const documentOf = async (): Promise<Document> =>
    (await request(server()).get('/docs-json').expect(200)).body as Document;

  it('describes every operation of the greet API', async () => {
    const { paths } = await documentOf();
    expect(
      Object.entries(paths)
        .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
        .sort(),
    ).toEqual(['GET /greet', 'GET /greet/languages', 'GET /health', 'POST /greet']);
  });

  it("describes the request's fields and constraints, every error of POST /greet, the cookie and X-Request-Id", async () => {
    const { paths, components } = await documentOf();
    const body = components.schemas.GreetRequestDto;
    expect(body?.required).toEqual(['name']);
    expect(body?.properties.name).toMatchObject({ type: 'string', minLength: 1 });
    expect(body?.properties.lang).toMatchObject({ type: 'string', enum: ['en', 'es', 'fr'], default: 'en' });
    const greet = paths['/greet']?.post;
    expect(Object.keys(greet?.responses ?? {}).sort()).toEqual(['200', '400', '413', '415', '500']);
    expect(Object.keys(greet?.responses['200']?.headers ?? {})).toEqual(['X-Request-Id', 'Set-Cookie']);
    expect(paths['/greet']?.get?.parameters?.map((p) => `${p.in}:${p.name}`)).toEqual(['query:name', 'query:lang']);
  });

  it("shows in Swagger UI what it cannot show by itself: each operation's CORS policy, each error's own example, <lang> as text", async () => {
    const { paths } = await documentOf();
    const greet = paths['/greet']?.post;
    expect(greet?.description).toBe(
      '**CORS:** policy `frontend`: http://localhost:1234, https://app.example.com; preflights allow POST; credentials no.',
    );
    expect(paths['/health']?.get?.description).toBe('**CORS:** none: pages on other origins cannot read this answer.');
    const example = (status: string): unknown => greet?.responses[status]?.content?.['application/json']?.example;
    expect([example('413'), example('415'), example('500')]).toEqual([
      { error: 'Payload too large' },
      { error: 'Request body must be JSON (Content-Type: application/json)' },
      { error: 'Internal server error' },
    ]);
    // Markdown code spans: Swagger UI would take a bare <lang> for an HTML tag and drop it.
    expect(greet?.responses['200']?.headers?.['Set-Cookie']?.description).toContain(
      '`greet_lang=<lang>; HttpOnly; SameSite=Lax`',
    );
  });

  it("names each operation's policy in its summary, which Swagger UI shows without expanding it; merged policies by what they merge", async () => {
    const { paths } = await documentOf();
    expect(paths['/greet']?.post?.summary).toBe('Greet someone in a language (CORS: frontend)');
    expect(paths['/greet']?.get?.summary).toBe(
      'The same greeting as a cacheable GET, one copy per Origin (CORS: frontend + GreetController.greetByQuery)',
    );
    expect(paths['/greet/languages']?.get?.summary).toBe('The languages the API speaks; public data (CORS: public)');
    expect(paths['/health']?.get?.summary).toBe('Liveness for load balancers (CORS: none)');
  });

  it('carries in x-cors exactly the policies `npm run cors:routes` prints', async () => {
    // In a folder without .env, so that the command reads the same (empty) environment as the app under test.
    const { stdout } = await run(process.execPath, [join(ROOT, 'dist', 'cli', 'cors-routes.js')], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? '', HTTP_ADAPTER },
    });
    // The routes section: its heading, the table's heading row, one row per route; then what each policy allows.
    // (The gateways' sections follow; the OpenAPI document describes no gateway.)
    const [routesTable = '', routePolicies = ''] = stdout.trim().split('\n\n');
    const [, , ...rows] = routesTable.split('\n').map((line) => line.split(/\s{2,}/));
    const allowed = new Map(
      [
        ...routePolicies.matchAll(
          /^(.+) \((?:enforce|report-only)\): origins (.+)\n {2}methods (.+); headers (.+); exposed (.+); credentials (yes|no); max-age (\d+); strict (yes|no)$/gm,
        ),
      ].map(([, policy = '', origins, methods, headers, exposed, credentials, maxAge, strict]) => [
        policy,
        { policy, origins, methods, headers, exposed, credentials, maxAge, strict },
      ]),
    );
    const { paths } = await documentOf();
    const printed = rows.map(([method = '', path = '', policy = '']) => ({
      operation: `${method} ${path}`,
      cors: policy === '(none)' ? null : allowed.get(policy),
    }));
    const list = (values: readonly string[]): string => (values.length === 0 ? '-' : values.join(','));
    const documented = Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => {
        expect(operation).toHaveProperty('x-cors');
        const cors = operation['x-cors'];
        return {
          operation: `${method.toUpperCase()} ${path}`,
          cors:
            cors === null || cors === undefined
              ? null
              : {
                  policy: cors.policy,
                  origins: cors.origins === '*' ? '*' : list(cors.origins),
                  methods: list(cors.methods),
                  headers: list(cors.allowedHeaders),
                  exposed: list(cors.exposedHeaders),
                  credentials: cors.credentials ? 'yes' : 'no',
                  maxAge: String(cors.maxAge),
                  strict: cors.strict ? 'yes' : 'no',
                },
        };
      }),
    );
    expect(documented.sort((a, b) => a.operation.localeCompare(b.operation))).toEqual(
      printed.sort((a, b) => a.operation.localeCompare(b.operation)),
    );
    expect(documented.find((d) => d.operation === 'POST /greet')?.cors).toMatchObject({
      policy: 'frontend',
      origins: 'http://localhost:1234,https://app.example.com',
    });
  }, 30_000);

  it('shows a policy replaced at run time', async () => {
    running
      .app()
      .get(CorsPolicies)
      .replace('public', { origins: ['https://docs-reader.example'], methods: ['GET'] });
    const { paths } = await documentOf();
    expect(paths['/greet/languages']?.get?.['x-cors']).toMatchObject({
      policy: 'public',
      origins: ['https://docs-reader.example'],
    });
  });

  it('serves Swagger UI at /docs, same-origin only: no policy reaches the docs', async () => {
    const page = await request(server()).get('/docs').set('Origin', 'http://localhost:1234');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger-ui');
    expect(page.headers['access-control-allow-origin']).toBeUndefined();
    const json = await request(server()).get('/docs-json').set('Origin', 'http://localhost:1234');
    expect(json.headers['access-control-allow-origin']).toBeUndefined();
    const pre = await preflight(server(), '/docs-json', 'http://localhost:1234', 'GET');
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('OpenAPI document switch', () => {
  const production = useApp(() =>
    startApp({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' }),
  );
  const productionWithDocs = useApp(() =>
    startApp({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com', API_DOCS: 'true' }),
  );
  const developmentWithout = useApp(() => startApp({ API_DOCS: 'false' }));

  it('is off in production unless API_DOCS=true, and API_DOCS=false turns it off elsewhere', async () => {
    expect((await request(production.server()).get('/docs-json')).status).toBe(404);
    expect((await request(production.server()).get('/docs')).status).toBe(404);
    expect((await request(productionWithDocs.server()).get('/docs-json')).status).toBe(200);
    expect((await request(developmentWithout.server()).get('/docs-json')).status).toBe(404);
  });
});
