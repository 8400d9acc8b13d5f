/**
 * The usual Nest e2e set-up, `Test.createTestingModule(...).compile()` and then
 * `createNestApplication()`: the modules exist before the HTTP adapter does,
 * and the CORS policies must still apply, ahead of the default body parser.
 */
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { expectCors } from 'nestjs-route-cors/testing';
import { ALLOWED, FixtureModule } from './fixtures/fixture.module.js';
import { initialised, ON_FASTIFY } from '../../../test/support/fixture-app.js';

const EVIL = 'https://evil.example';
const AUTHENTICATED = { Authorization: 'Bearer secret', 'Content-Type': 'application/json' };

describe('an application built with @nestjs/testing', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [FixtureModule] }).compile();
    // Nest's own default parsers: whatever parses the body, CORS has decided first.
    app = ON_FASTIFY
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
    await initialised(app);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers an allowed preflight and refuses another origin', async () => {
    await expectCors(app)
      .preflight('/account/profile', { origin: ALLOWED, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    await expectCors(app)
      .preflight('/account/profile', { origin: EVIL, method: 'POST', headers: ['content-type'] })
      .toBeRefused();
  });

  it('gives an actual request its headers, and decides before the default body parser', async () => {
    const answer = await expectCors(app)
      .actual('/account/profile', {
        origin: ALLOWED,
        method: 'POST',
        credentials: true,
        headers: AUTHENTICATED,
        body: '{}',
      })
      .toBeAllowed();
    expect(answer.body).toEqual({ saved: true });
    // A malformed body is parsed (and refused) after CORS has written its headers.
    const malformed = await expectCors(app)
      .actual('/account/profile', {
        origin: ALLOWED,
        method: 'POST',
        credentials: true,
        headers: AUTHENTICATED,
        body: '{"name":',
      })
      .toBeAllowed();
    expect(malformed.status).toBe(400);
  });
});
