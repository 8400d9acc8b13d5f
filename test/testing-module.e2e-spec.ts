/**
 * The usual Nest e2e set-up, `Test.createTestingModule(...).compile()` and then
 * `createNestApplication()`: the modules exist before the HTTP adapter does,
 * and the CORS policies must still apply, ahead of the default body parser.
 */
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { expectCors } from 'nestjs-route-cors/testing';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { HTTP_ADAPTER, initialised } from './app.harness.js';

describe('the greet service built with @nestjs/testing', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forConfig(loadConfig({}))] }).compile();
    // Nest's own default parsers here, not the service's: whatever parses the body, CORS has decided first.
    app = HTTP_ADAPTER === 'fastify' ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false }) : moduleRef.createNestApplication({ logger: false });
    await initialised(app);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers an allowed preflight and refuses another origin', async () => {
    await expectCors(app).preflight('/greet', { origin: 'http://localhost:1234', method: 'POST', headers: ['content-type'] }).toBeAllowed();
    await expectCors(app).preflight('/greet', { origin: 'https://evil.example', method: 'POST', headers: ['content-type'] }).toBeRefused();
  });

  it('gives an actual request its headers, and decides before the default body parser', async () => {
    const answer = await expectCors(app).actual('/greet', { origin: 'http://localhost:1234', method: 'POST', body: { name: 'Alice', lang: 'es' } }).toBeAllowed();
    expect(JSON.parse(answer.body)).toMatchObject({ greeting: 'Hola, Alice!' });
    // A malformed body is parsed (and refused) after CORS has written its headers.
    const malformed = await expectCors(app)
      .actual('/greet', { origin: 'http://localhost:1234', method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":' })
      .toBeAllowed();
    expect(malformed.status).toBe(400);
  });
});
