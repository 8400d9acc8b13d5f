/**
 * HTTP QUERY under @Cors() (issue 30): preflights for QUERY answered per the
 * route's policy, with QUERY in Access-Control-Allow-Methods beside the
 * policy's other methods (flask-cors once dropped the whole header for it),
 * and actual QUERY requests with their headers; on Express and Fastify.
 */
import request from 'supertest';
import { expectCors } from 'nestjs-route-cors/testing';
import { ALLOWED, EVIL, startQueryMethodApp } from './fixtures/query-method.fixture.js';
import { preflight, useApp } from '../../../test/support/fixture-app.js';

const { app, server } = useApp(() => startQueryMethodApp());
/** A QUERY request: supertest sends it (Node knows the method), though its types only know `.query()` as the query string. */
const query = (path: string): request.Test =>
  (request(server()) as unknown as Record<'query', (url: string) => request.Test>).query(path);

describe('a QUERY route under a policy that lists QUERY', () => {
  it('answers the preflight with 204, QUERY among every method of the policy', async () => {
    const res = await preflight(server(), '/reports', ALLOWED, 'QUERY', 'content-type');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-methods']).toBe('GET, HEAD, QUERY');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type');
  });

  it('refuses the preflight of another origin with 403', async () => {
    const res = await preflight(server(), '/reports', EVIL, 'QUERY', 'content-type');
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gives the QUERY request, body and all, its headers for the allowed origin only', async () => {
    const allowed = await query('/reports').set('Origin', ALLOWED).send({ q: 'sales' });
    expect(allowed.body).toEqual({ searched: { q: 'sales' } });
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED);
    const refused = await query('/reports').set('Origin', EVIL).send({ q: 'sales' });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('is what the testing helpers judge it to be', async () => {
    const probe = {
      origin: ALLOWED,
      method: 'QUERY',
      headers: { 'content-type': 'application/json' },
      body: { q: 'sales' },
    };
    await expectCors(app()).actual('/reports', probe).toBeAllowed();
    await expectCors(app())
      .actual('/reports', { ...probe, origin: EVIL })
      .toBeRefused();
  });
});

describe('a QUERY route under a policy without QUERY', () => {
  it('refuses the preflight with 403, naming the method', async () => {
    const res = await preflight(server(), '/legacy', ALLOWED, 'QUERY');
    expect(res.status).toBe(403);
    const explained = await expectCors(app())
      .preflight('/legacy', { origin: ALLOWED, method: 'QUERY' })
      .toBeAllowed()
      .catch((error: Error) => error.message);
    expect(explained).toMatch(/method "QUERY" is not in the allowed methods of 'legacy' \(allowed: GET, HEAD, POST\)/);
  });
});
