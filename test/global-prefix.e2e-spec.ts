/**
 * `app.setGlobalPrefix()` is called after the modules exist: the CORS route
 * table must serve the prefixed paths, and leave excluded routes unprefixed,
 * as Nest's router does.
 */
import { RequestMethod } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { answerOf, preflight, useApp, createTestApp, initialised } from './app.harness.js';

const FRONTEND = 'http://localhost:1234';
const GREETING = { name: 'Alice', lang: 'es' };

describe('CORS under a global prefix', () => {
  const running = useApp(async () => {
    const app = await createTestApp(AppModule.forConfig(loadConfig({})));
    app.setGlobalPrefix('api', { exclude: [{ path: 'greet/languages', method: RequestMethod.GET }] });
    return initialised(app);
  });
  const server = (): App => running.server();

  it('answers the preflight of a prefixed route', async () => {
    const res = await preflight(server(), '/api/greet', FRONTEND, 'POST', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('gives the actual request on the prefixed path its headers', async () => {
    const res = await request(server()).post('/api/greet').set('Origin', FRONTEND).send(GREETING);
    expect(res.status).toBe(200);
    expect(answerOf(res).greeting).toBe('Hola, Alice!');
    expect(res.headers['access-control-allow-origin']).toBe(FRONTEND);
  });

  it('applies nothing at the unprefixed path, which Nest does not serve', async () => {
    const res = await request(server()).post('/greet').set('Origin', FRONTEND).send(GREETING);
    expect(res.status).toBe(404);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('keeps an excluded route at its own path, with its policy', async () => {
    const res = await request(server()).get('/greet/languages').set('Origin', 'https://anyone.example');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});
