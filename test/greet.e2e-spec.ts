/** The greet API's contract and error table (issue 3), through real HTTP on the real app. */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { answerOf, startApp, useApp } from './app.harness.js';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('greet API', () => {
  const running = useApp(() => startApp());
  const server = (): App => running.server();

  const postJson = (body: string, type = 'application/json') =>
    request(server()).post('/greet').set('Content-Type', type).send(body);

  describe('POST /greet', () => {
    it('answers the greeting in the requested language with a UTC timestamp ending in Z', async () => {
      const before = Date.now();
      const res = await request(server()).post('/greet').send({ name: 'Alice', lang: 'es' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(answerOf(res).greeting).toBe('Hola, Alice!');
      expect(answerOf(res).timestamp).toMatch(ISO_UTC);
      expect(Date.parse(answerOf(res).timestamp ?? '')).toBeGreaterThanOrEqual(before - 1000);
      expect(Object.keys(answerOf(res)).sort()).toEqual(['greeting', 'timestamp']);
    });

    it.each([
      [{ name: '  Bob  ' }, 'Hello, Bob!'],
      [{ name: 'Chloé', lang: 'FR' }, 'Bonjour, Chloé!'],
      [{ name: 'Dan', lang: ' Es ' }, 'Hola, Dan!'],
      [{ name: 'Eve', lang: null }, 'Hello, Eve!'],
      [{ name: 'Finn', extra: 'ignored', admin: true }, 'Hello, Finn!'],
    ])('%j → %s', async (body, greeting) => {
      const res = await request(server()).post('/greet').send(body);
      expect(res.status).toBe(200);
      expect(answerOf(res).greeting).toBe(greeting);
    });

    it('remembers the language in a cookie and uses it when lang is omitted', async () => {
      const first = await request(server()).post('/greet').send({ name: 'Alice', lang: 'FR' });
      expect(first.headers['set-cookie']).toEqual([
        'greet_lang=fr; Path=/greet; Max-Age=31536000; HttpOnly; SameSite=Lax',
      ]);
      const second = await request(server())
        .post('/greet')
        .set('Cookie', 'other=1; greet_lang=fr')
        .send({ name: 'Alice' });
      expect(answerOf(second).greeting).toBe('Bonjour, Alice!');
      expect(second.headers['set-cookie']).toBeUndefined();
      const explicit = await request(server())
        .post('/greet')
        .set('Cookie', 'greet_lang=fr')
        .send({ name: 'Alice', lang: 'es' });
      expect(answerOf(explicit).greeting).toBe('Hola, Alice!');
    });

    it.each(['greet_lang=xx', 'greet_lang=__proto__', 'greet_lang=constructor', 'greet_lang'])(
      'ignores the cookie %s',
      async (cookie) => {
        const res = await request(server()).post('/greet').set('Cookie', cookie).send({ name: 'Alice' });
        expect(res.status).toBe(200);
        expect(answerOf(res).greeting).toBe('Hello, Alice!');
      },
    );

    it('accepts application/json with a charset', async () => {
      const res = await postJson('{"name":"Alice"}', 'application/json; charset=utf-8');
      expect(res.status).toBe(200);
    });

    it('lets __proto__ and constructor payloads pollute nothing', async () => {
      const payloads = [
        '{"name":"Alice","__proto__":{"polluted":"yes"}}',
        '{"name":"Alice","constructor":{"prototype":{"polluted":"yes"}}}',
        '{"name":{"__proto__":{"polluted":"yes"}}}',
      ];
      for (const payload of payloads) {
        const res = await postJson(payload);
        expect([200, 400]).toContain(res.status);
        expect(res.text).not.toContain('polluted');
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('error table', () => {
    it.each<[string, () => request.Test, number, string | RegExp]>([
      [
        'an empty body',
        () => request(server()).post('/greet').set('Content-Type', 'application/json'),
        400,
        'Missing request body',
      ],
      ['no body and no Content-Type', () => request(server()).post('/greet'), 400, 'Missing request body'],
      [
        'a chunked body of zero bytes',
        () =>
          request(server())
            .post('/greet')
            .set('Content-Type', 'application/json')
            .set('Transfer-Encoding', 'chunked')
            .send(''),
        400,
        'Missing request body',
      ],
      ['{}', () => postJson('{}'), 400, "Missing required field: 'name'"],
      ['no name', () => postJson('{"lang":"es"}'), 400, "Missing required field: 'name'"],
      ['an empty name', () => postJson('{"name":""}'), 400, "Field 'name' cannot be empty"],
      ['a blank name', () => postJson('{"name":"   "}'), 400, "Field 'name' cannot be empty"],
      [
        'an unsupported lang',
        () => postJson('{"name":"A","lang":"FOO"}'),
        400,
        "Invalid or unsupported language selection: 'foo'",
      ],
      ['a numeric name', () => postJson('{"name":42}'), 400, "Field 'name' must be a string"],
      ['an array name', () => postJson('{"name":["a"]}'), 400, "Field 'name' must be a string"],
      ['an object name', () => postJson('{"name":{"a":1}}'), 400, "Field 'name' must be a string"],
      ['a numeric lang', () => postJson('{"name":"A","lang":1}'), 400, "Field 'lang' must be a string"],
      ['an array lang', () => postJson('{"name":"A","lang":["es"]}'), 400, "Field 'lang' must be a string"],
      ['a JSON array', () => postJson('[]'), 400, 'Request body must be a JSON object'],
      ['a JSON string', () => postJson('"x"'), 400, 'Request body must be a JSON object'],
      ['JSON null', () => postJson('null'), 400, 'Request body must be a JSON object'],
      ['malformed JSON', () => postJson('{"name": "Al'), 400, 'Malformed JSON in request body'],
      ['a body over 1 MB', () => postJson(JSON.stringify({ name: 'x'.repeat(1024 * 1024) })), 413, 'Payload too large'],
      [
        'a text/plain body',
        () => postJson('{"name":"A"}', 'text/plain'),
        415,
        'Request body must be JSON (Content-Type: application/json)',
      ],
      ['a form body', () => postJson('name=A', 'application/x-www-form-urlencoded'), 415, /must be JSON/],
      ['an unknown route', () => request(server()).get('/nope'), 404, /GET \/nope/],
      ['a wrong method', () => request(server()).delete('/greet'), 404, /DELETE \/greet/],
      ['GET /greet without name', () => request(server()).get('/greet'), 400, "Missing required field: 'name'"],
      [
        'GET /greet with an unsupported lang',
        () => request(server()).get('/greet?name=A&lang=Klingon'),
        400,
        "Invalid or unsupported language selection: 'klingon'",
      ],
    ])('%s gets its status and a JSON error', async (_label, send, status, message) => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(Object.keys(answerOf(res))).toEqual(['error']);
      expect(answerOf(res).error).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
      expect(res.text).not.toMatch(/\bat .*\.(js|ts):\d+/);
    });

    it('never quotes the JSON parser internals', async () => {
      const res = await postJson('{"name": tru');
      expect(answerOf(res).error).toBe('Malformed JSON in request body');
      expect(res.text).not.toMatch(/position|Unexpected token/);
    });

    it('cuts an echoed unsupported language short', async () => {
      const res = await postJson(JSON.stringify({ name: 'A', lang: 'x'.repeat(10_000) }));
      expect(res.status).toBe(400);
      expect(answerOf(res).error?.length).toBeLessThan(120);
    });
  });

  describe('GET /greet', () => {
    it('answers the same greeting from the query string, cacheable for 10 s', async () => {
      const res = await request(server()).get('/greet?name=%20Alice%20&lang=ES');
      expect(res.status).toBe(200);
      expect(answerOf(res).greeting).toBe('Hola, Alice!');
      expect(answerOf(res).timestamp).toMatch(ISO_UTC);
      expect(res.headers['cache-control']).toBe('public, max-age=10');
    });

    it('marks its errors uncacheable', async () => {
      const res = await request(server()).get('/greet');
      expect(res.status).toBe(400);
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('other routes', () => {
    it('GET /greet/languages lists the languages and the default', async () => {
      const res = await request(server()).get('/greet/languages');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ default: 'en', languages: { en: 'Hello', es: 'Hola', fr: 'Bonjour' } });
    });

    it('GET /health answers ok', async () => {
      const res = await request(server()).get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'ok' });
    });
  });

  describe('request ids', () => {
    it('keeps an acceptable incoming X-Request-Id', async () => {
      const res = await request(server()).get('/health').set('X-Request-Id', 'abc-123_x.y:z');
      expect(res.headers['x-request-id']).toBe('abc-123_x.y:z');
    });

    it.each(['has space', 'x'.repeat(129), 'semi;colon', '<script>'])('replaces %j with a fresh UUID', async (id) => {
      const res = await request(server()).get('/health').set('X-Request-Id', id);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('puts an id on errors and preflights too', async () => {
      const error = await postJson('{');
      const preflight = await request(server())
        .options('/greet')
        .set('Origin', 'http://localhost:1234')
        .set('Access-Control-Request-Method', 'POST');
      expect(error.headers['x-request-id']).toMatch(UUID);
      expect(preflight.headers['x-request-id']).toMatch(UUID);
    });

    it('gives 200 concurrent requests 200 distinct ids', async () => {
      const responses = await Promise.all(Array.from({ length: 200 }, () => request(server()).get('/health')));
      const ids = new Set(responses.map((r) => r.headers['x-request-id']));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(ids.size).toBe(200);
    });
  });
});
