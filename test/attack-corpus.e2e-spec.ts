/**
 * The attack corpus (issue 8) against the real server: no hostile origin may
 * ever get Access-Control-Allow-Origin or -Allow-Credentials, on a preflight
 * or on an actual request, even with credentials enabled.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startApp, useApp } from './app.harness.js';
import { accessControlHeaders } from './support/cors-headers.js';

interface Corpus {
  readonly allowlist: readonly string[];
  readonly origins: ReadonlyArray<{ readonly technique: string; readonly origin: string }>;
  readonly multipleOrigins: ReadonlyArray<{ readonly technique: string; readonly origins: readonly string[] }>;
}

const corpus = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'attack-corpus.json'), 'utf8')) as Corpus;

interface Answer {
  readonly status: number;
  readonly cors: Record<string, unknown>;
}

/** Raw node:http, because supertest would refuse or normalise some of these values. */
function send(
  port: number,
  method: string,
  path: string,
  origin: string | string[],
  extra: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, cors: accessControlHeaders(res.headers) }));
    });
    req.setHeader('Origin', origin);
    for (const [name, value] of Object.entries(extra)) req.setHeader(name, value);
    req.on('error', reject);
    req.end(method === 'POST' ? '{"name":"Alice"}' : undefined);
  });
}

describe('attack corpus against the running service', () => {
  const running = useApp(() =>
    startApp({ CORS_ALLOWED_ORIGINS: corpus.allowlist.join(','), CORS_ALLOW_CREDENTIALS: 'true' }),
  );
  let port = 0;
  beforeAll(async () => {
    await running.app().listen(0, '127.0.0.1');
    port = ((running.app().getHttpServer() as Server).address() as AddressInfo).port;
  });

  const healthAfterEach: number[] = [];
  afterEach(async () => {
    healthAfterEach.push((await fetch(`http://127.0.0.1:${port}/health`)).status);
  });

  const preflight = (origin: string | string[]) =>
    send(port, 'OPTIONS', '/greet', origin, {
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type',
    });
  const actual = (origin: string | string[]) =>
    send(port, 'POST', '/greet', origin, { 'Content-Type': 'application/json' });

  it('is a corpus worth running: every scanner class is present', () => {
    const techniques = corpus.origins.map((o) => o.technique).join('\n');
    for (const probe of [
      'reflection',
      'prefix',
      'suffix',
      'unescaped dot',
      'scheme downgrade',
      'port',
      'null',
      'special character',
      'userinfo',
      'backslash',
      'trailing dot',
      'case variant',
      'whitespace',
      'very long',
      'wildcard',
    ]) {
      expect(techniques).toContain(probe);
    }
    expect(corpus.multipleOrigins.length).toBeGreaterThan(0);
  });

  it('still allows the listed origins (the corpus tests the right server)', async () => {
    for (const origin of ['https://app.example.com', 'https://a.partner.example.org', 'http://localhost:1234']) {
      expect((await preflight(origin)).cors['access-control-allow-origin']).toBe(origin);
      expect((await actual(origin)).cors['access-control-allow-credentials']).toBe('true');
    }
  });

  it.each(corpus.origins.map((entry) => [entry.technique, entry.origin] as const))('%s', async (_technique, origin) => {
    const [pre, act] = await Promise.all([preflight(origin), actual(origin)]);
    expect(pre.status).toBe(403);
    expect(pre.cors).toEqual({});
    expect(act.cors).toEqual({});
    expect(act.status).toBeLessThan(500);
  });

  it.each(corpus.multipleOrigins.map((entry) => [entry.technique, entry.origins] as const))(
    '%s',
    async (_technique, origins) => {
      const [pre, act] = await Promise.all([preflight([...origins]), actual([...origins])]);
      expect(pre.cors).toEqual({});
      expect(act.cors).toEqual({});
    },
  );

  it('answers /health throughout', () => {
    // One probe after every test above: the service survived each hostile request.
    expect(healthAfterEach.length).toBeGreaterThanOrEqual(corpus.origins.length + corpus.multipleOrigins.length);
    expect(healthAfterEach.filter((status) => status !== 200)).toEqual([]);
  });
});
