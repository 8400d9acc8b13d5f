/**
 * The package as an application loads it, from its built `dist/` (Jest's set-up builds it), in a Node process of its
 * own: the CommonJS build is what `require()` gets, and an application can end up with both builds in one process
 * (its own code compiled to CommonJS, a library importing the ES module build).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);

/** Runs `source` as an ES module (or CommonJS) from the repository's root, where `nestjs-route-cors` resolves to the package. */
async function node(source: string, type: 'module' | 'commonjs'): Promise<string> {
  const { stdout } = await run(process.execPath, [`--input-type=${type}`, '--eval', source], { cwd: ROOT });
  return stdout.trim();
}

describe("the package's CommonJS build", () => {
  it.each([
    ['nestjs-route-cors', ['Cors', 'CorsModule', 'allowedByCors']],
    ['nestjs-route-cors/testing', ['expectCors', 'CorsExpectation']],
    ['nestjs-route-cors/openapi', ['withCorsPolicies']],
    ['nestjs-route-cors/core', ['compilePolicy', 'decideCors', 'describeRejection', 'CorsPolicyError']],
    ['nestjs-route-cors/redis', ['redisPolicySync']],
  ])(
    "loads with require('%s')",
    async (entry, names) => {
      // Without dist/cjs/package.json's {"type":"commonjs"}, Node reads the CommonJS output as ES modules and fails.
      const source = `const loaded = require(${JSON.stringify(entry)}); console.log(JSON.stringify(${JSON.stringify(names)}.map((name) => typeof loaded[name])));`;
      expect(JSON.parse(await node(source, 'commonjs'))).toEqual(names.map(() => 'function'));
    },
    60_000,
  );
});

/**
 * An application whose CORS hook comes from the ES module build and whose `allowedByCors` from the CommonJS build
 * (or the other way round), and what Nest's CSRF protection answers a cross-site POST from a listed origin and from
 * another: the mark the hook leaves must be readable by either copy.
 */
function mixedBuildsApp(hookFrom: 'import' | 'require'): string {
  return `
import { createRequire } from 'node:module';
import { Controller, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
const required = createRequire(process.cwd() + '/')('nestjs-route-cors');
const imported = await import('nestjs-route-cors');
const hooks = ${hookFrom === 'import' ? 'imported' : 'required'};
const exempt = ${hookFrom === 'import' ? 'required' : 'imported'};
if (hooks.CorsModule === exempt.CorsModule) throw new Error('one copy of the package loaded, not two');

class Orders { create() { return { created: true }; } }
Post()(Orders.prototype, 'create', Object.getOwnPropertyDescriptor(Orders.prototype, 'create'));
Controller('orders')(Orders);
hooks.Cors({ origins: ['https://app.example.com'], methods: ['POST'] })(Orders);
class AppModule {}
Module({ imports: [hooks.CorsModule.forRoot({ logRoutes: false })], controllers: [Orders] })(AppModule);

const app = await NestFactory.create(AppModule, { logger: false });
app.enableCsrfProtection({ exclude: exempt.allowedByCors });
await app.listen(0, '127.0.0.1');
const statuses = [];
for (const origin of ['https://app.example.com', 'https://evil.example']) {
  const answer = await fetch(new URL('/orders', await app.getUrl()), { method: 'POST', headers: { Origin: origin, 'Sec-Fetch-Site': 'cross-site' } });
  statuses.push(answer.status);
}
await app.close();
console.log(JSON.stringify(statuses));
`;
}

describe('allowedByCors with both builds loaded in one process', () => {
  it.each(['import', 'require'] as const)(
    'trusts what the hook of the other build allowed (hook from %s): 201 for the listed origin, 403 for another',
    async (hookFrom) => {
      expect(JSON.parse(await node(mixedBuildsApp(hookFrom), 'module'))).toEqual([201, 403]);
    },
    60_000,
  );
});
