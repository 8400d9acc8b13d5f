import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { startApp } from './app.harness.js';

describe('smoke', () => {
  let app: INestApplication;
  beforeAll(async () => { app = await startApp(); });
  afterAll(async () => { await app.close(); });
  it('greets', async () => {
    const res = await request(app.getHttpServer()).post('/greet').send({ name: 'Alice', lang: 'es' });
    expect(res.body.greeting).toBe('Hola, Alice!');
  });
});
