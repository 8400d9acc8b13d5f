/**
 * Nest 11 (latest 11.x), as `nest new` made apps until Nest 12 and as
 * `nest upgrade` keeps them: CommonJS (`module: nodenext` without
 * `"type": "module"`), TypeScript 5, Jest with ts-jest in CommonJS mode, on
 * Express and on Fastify, in one app folder. The quick start compiles to
 * `require()` calls, and Jest `require()`s `nestjs-route-cors/testing`, with
 * no `require(esm)` anywhere. The Express app also serves a Socket.IO gateway
 * under `@Cors()`, and one script loads both builds of the package at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALLOWED,
  compile,
  createApp,
  describeEachPlatform,
  EVIL,
  expectCorsSpec,
  FASTIFY_MAIN,
  installedVersion,
  run,
  type RunningApp,
  runTests,
  startApp,
} from './consumer-app.js';

/** The Nest 11 starter's package.json (@nestjs/schematics 11), without its lint and format tools. */
const PACKAGE_JSON = {
  name: 'nest11-consumer',
  version: '0.0.1',
  private: true,
  license: 'UNLICENSED',
  scripts: { build: 'tsc -p tsconfig.build.json', 'test:e2e': 'jest --config ./test/jest-e2e.json' },
  dependencies: {
    '@nestjs/common': '^11.0.1',
    '@nestjs/core': '^11.0.1',
    '@nestjs/platform-express': '^11.0.1',
    '@nestjs/platform-fastify': '^11.0.1',
    '@nestjs/platform-socket.io': '^11.0.1',
    '@nestjs/websockets': '^11.0.1',
    'reflect-metadata': '^0.2.2',
    rxjs: '^7.8.1',
  },
  devDependencies: {
    '@nestjs/testing': '^11.0.1',
    '@types/express': '^5.0.0',
    '@types/jest': '^30.0.0',
    '@types/node': '^24.0.0',
    '@types/supertest': '^7.0.0',
    jest: '^30.0.0',
    supertest: '^7.0.0',
    'ts-jest': '^29.2.5',
    typescript: '^5.7.3',
  },
};

/** The Nest 11 starter's tsconfig.json (non-strict answers), tsconfig.build.json and test/jest-e2e.json. */
const STARTER_FILES: Record<string, string> = {
  'tsconfig.json': JSON.stringify({
    compilerOptions: {
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
      outDir: './dist',
      baseUrl: './',
      incremental: true,
      skipLibCheck: true,
      strictNullChecks: true,
      forceConsistentCasingInFileNames: true,
      noImplicitAny: false,
      strictBindCallApply: false,
      noFallthroughCasesInSwitch: false,
    },
  }),
  'tsconfig.build.json': JSON.stringify({
    extends: './tsconfig.json',
    exclude: ['node_modules', 'test', 'dist', '**/*spec.ts'],
  }),
  // The starter's, plus the mapping docs/testing.md asks for: the quick start's imports end in `.js`.
  'test/jest-e2e.json': JSON.stringify({
    moduleFileExtensions: ['js', 'json', 'ts'],
    rootDir: '.',
    testEnvironment: 'node',
    testRegex: '.e2e-spec.ts$',
    transform: { '^.+\\.(t|j)s$': 'ts-jest' },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  }),
};

/** A Socket.IO gateway under the quick start's policy, in a root module around the quick start's. */
const GATEWAY_FILES: Record<string, string> = {
  'src/events.gateway.ts': `import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { Cors } from 'nestjs-route-cors';

@Cors('frontend')
@WebSocketGateway()
export class EventsGateway {
  @SubscribeMessage('ping')
  ping(): string {
    return 'pong';
  }
}
`,
  'src/gateway-app.module.ts': `import { Module } from '@nestjs/common';
import { AppModule } from './app.module.js';
import { EventsGateway } from './events.gateway.js';

@Module({ imports: [AppModule], providers: [EventsGateway] })
export class GatewayAppModule {}
`,
  'src/main-gateway.ts': `import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { GatewayAppModule } from './gateway-app.module.js';

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(GatewayAppModule);
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
void bootstrap();
`,
};

/**
 * Loads the package twice, as an app can (the ES module build through
 * `import`, the CommonJS build through `require`), decorates a controller
 * with one copy and serves it with the other copy's CorsModule.
 */
const DUAL_PACKAGE_SCRIPT = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as esm from 'nestjs-route-cors';
import * as esmTesting from 'nestjs-route-cors/testing';

const require = createRequire(import.meta.url);
const cjs = require('nestjs-route-cors');
const cjsTesting = require('nestjs-route-cors/testing');

async function served(decorating, serving, testing) {
  class Messages {
    list() {
      return [];
    }
  }
  Reflect.decorate([Get()], Messages.prototype, 'list', Object.getOwnPropertyDescriptor(Messages.prototype, 'list'));
  Reflect.decorate([decorating.Cors('frontend'), Controller('messages')], Messages);
  class App {}
  const cors = serving.CorsModule.forRoot({ policies: { frontend: { origins: ['${ALLOWED}'] } }, logRoutes: false });
  Reflect.decorate([Module({ imports: [cors], controllers: [Messages] })], App);
  const app = await NestFactory.create(App, { logger: false });
  await app.init();
  try {
    await testing.expectCors(app).actual('/messages', { origin: '${ALLOWED}' }).toBeAllowed();
    return 'allowed';
  } catch (error) {
    return error.message;
  } finally {
    await app.close();
  }
}

console.log(JSON.stringify({
  twoCopies: esm.Cors !== cjs.Cors && esmTesting.expectCors !== cjsTesting.expectCors,
  decoratedByCommonJsServedByEsm: await served(cjs, esm, esmTesting),
  decoratedByEsmServedByCommonJs: await served(esm, cjs, cjsTesting),
}));
`;

describe('a Nest 11 CommonJS app with Jest (ts-jest, CommonJS mode)', () => {
  const work = mkdtempSync(join(tmpdir(), 'consumer-nest11-'));

  beforeAll(() => {
    createApp(work, PACKAGE_JSON, {
      ...STARTER_FILES,
      ...GATEWAY_FILES,
      'src/main-fastify.ts': FASTIFY_MAIN,
      'test/cors.express.e2e-spec.ts': expectCorsSpec('express'),
      'test/cors.fastify.e2e-spec.ts': expectCorsSpec('fastify'),
      'dual-package.mjs': DUAL_PACKAGE_SCRIPT,
    });
    compile(work, 'tsconfig.build.json');
  }, 600_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('installs the latest Nest 11 and TypeScript 5 beside the package, without a peer conflict', () => {
    expect(installedVersion(work, '@nestjs/core')).toMatch(/^11\./);
    expect(installedVersion(work, '@nestjs/platform-fastify')).toMatch(/^11\./);
    expect(installedVersion(work, 'typescript')).toMatch(/^5\./);
  });

  it("compiles the quick start to CommonJS that require()s the package's CommonJS build", () => {
    expect(readFileSync(join(work, 'dist', 'app.module.js'), 'utf8')).toContain('require("nestjs-route-cors")');
    const resolved = run(
      process.execPath,
      ['-p', "[require.resolve('nestjs-route-cors'), require.resolve('nestjs-route-cors/testing')].join(' ')"],
      work,
    );
    expect(resolved).toMatch(/nestjs-route-cors\/dist\/cjs\/index\.js .*nestjs-route-cors\/dist\/cjs\/testing\.js/);
  });

  it('reads with either build what a decorator of the other wrote, in one process', () => {
    expect(JSON.parse(run(process.execPath, ['dual-package.mjs'], work))).toEqual({
      twoCopies: true,
      decoratedByCommonJsServedByEsm: 'allowed',
      decoratedByEsmServedByCommonJs: 'allowed',
    });
  });

  describeEachPlatform(work, 'Jest', (platform) => {
    const report = `jest-${platform}.json`;
    return runTests(
      work,
      process.execPath,
      [
        'node_modules/jest/bin/jest.js',
        '--config',
        './test/jest-e2e.json',
        '--json',
        `--outputFile=${report}`,
        `cors.${platform}`,
      ],
      report,
    );
  });

  describe('with a Socket.IO gateway under @Cors()', () => {
    let started: RunningApp | undefined;
    const handshake = (origin: string): Promise<Response> =>
      fetch(`${started?.base ?? ''}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } });

    beforeAll(async () => {
      started = await startApp(work, join('dist', 'main-gateway.js'));
    }, 60_000);

    afterAll(() => started?.stop());

    it("opens a handshake from the policy's origin, with its CORS headers", async () => {
      const res = await handshake(ALLOWED);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
      expect(await res.text()).toContain('"sid"');
    });

    it('refuses a handshake from another origin with 403, before any session', async () => {
      const res = await handshake(EVIL);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain('"sid"');
    });
  });
});
