/**
 * The package's test helpers (`nestjs-route-cors/testing`), and the refusal
 * reason `exposeRejectionReason` puts in a response header.
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { expectCors } from 'nestjs-route-cors/testing';
import { FRONTEND, NotesModule } from './fixtures/notes.module.js';
import { preflight, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';

const EVIL = 'https://evil.example';
const REASON_HEADER = 'x-cors-rejection-reason';
const NOTE = { text: 'A' };

describe('expectCors', () => {
  const running = useApp(() => startFixtureApp(NotesModule.exposingRejectionReason(false)));
  const cors = () => expectCors(running.app());

  it('passes an allowed preflight and returns the answer', async () => {
    const answer = await cors()
      .preflight('/notes', { origin: FRONTEND, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(FRONTEND);
    expect(answer.blockedBecause).toBeUndefined();
  });

  it('passes refused preflights: an origin, a header, a method outside the policy', async () => {
    await cors()
      .preflight('/notes', { origin: EVIL, method: 'POST', headers: ['content-type'] })
      .toBeRefused();
    await cors()
      .preflight('/notes', { origin: FRONTEND, method: 'POST', headers: ['x-evil'] })
      .toBeRefused();
    await cors().preflight('/notes', { origin: FRONTEND, method: 'DELETE' }).toBeRefused();
  });

  it("resolves with the body parsed as supertest's res.body, and its text as res.text", async () => {
    const answer = await cors().actual('/notes', { origin: FRONTEND, method: 'POST', body: NOTE }).toBeAllowed();
    expect(answer.body).toEqual({ saved: NOTE });
    expect(answer.text).toBe(JSON.stringify({ saved: NOTE }));
  });

  it('judges actual requests as a browser does, credentials included', async () => {
    await cors().actual('/notes', { origin: FRONTEND, method: 'POST', body: NOTE }).toBeAllowed();
    await cors().actual('/notes', { origin: EVIL, method: 'POST', body: NOTE }).toBeRefused();
    // The policy allows no credentials: a page using credentials: 'include' cannot read the answer.
    const blocked = await cors()
      .actual('/notes', { origin: FRONTEND, method: 'POST', body: NOTE, credentials: true })
      .toBeRefused();
    expect(blocked.blockedBecause).toBe('no Access-Control-Allow-Credentials: true for a request with credentials');
    await cors().actual('/notes/count', { origin: EVIL, credentials: false }).toBeAllowed();
    await cors().actual('/notes/count', { origin: EVIL, credentials: true }).toBeRefused();
  });

  it('sends the preflight a browser would send first, and stops where the browser stops', async () => {
    const blocked = await cors()
      .actual('/notes', {
        origin: FRONTEND,
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Evil': '1' },
        body: '{"text":"A"}',
      })
      .toBeRefused();
    expect(blocked.status).toBe(403);
    expect(blocked.blockedBecause).toBe('its preflight was refused (status 403), so the browser never sent it');
    const allowed = await cors()
      .actual('/notes', {
        origin: FRONTEND,
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"text":"A"}',
      })
      .toBeAllowed();
    expect(allowed.status).toBe(201);
  });

  it('says what the server answered and why the module refused, when an allowed expectation fails', async () => {
    const failure = cors()
      .preflight('/notes', { origin: EVIL, method: 'POST', headers: ['content-type'] })
      .toBeAllowed();
    await expect(failure).rejects.toThrow(
      'expected the preflight of POST /notes from "https://evil.example" to be allowed, but the server answered 403 without Access-Control-Allow-Origin.',
    );
    await expect(failure).rejects.toThrow(
      `Why: refused: origin "${EVIL}" is not in policy 'frontend' (allowed: http://localhost:1234, https://app.example.com)`,
    );
  });

  it('says so when a refused expectation is allowed', async () => {
    await expect(
      cors().actual('/notes', { origin: FRONTEND, method: 'POST', body: NOTE }).toBeRefused(),
    ).rejects.toThrow(
      /to be refused, but the server answered 201 with Access-Control-Allow-Origin "http:\/\/localhost:1234" and the page could read it\.\nWhy: allowed: /,
    );
  });
});

describe('the refusal reason in a response header', () => {
  describe('with exposeRejectionReason', () => {
    const running = useApp(() => startFixtureApp(NotesModule.exposingRejectionReason(true)));
    const server = (): App => running.server();

    it('names the rule that refused a preflight', async () => {
      const res = await preflight(server(), '/notes', EVIL, 'POST', 'content-type');
      expect(res.status).toBe(403);
      expect(res.headers[REASON_HEADER]).toBe(
        `origin "${EVIL}" is not in policy 'frontend' (allowed: http://localhost:1234, https://app.example.com)`,
      );
      const header = await preflight(server(), '/notes', FRONTEND, 'POST', 'x-evil');
      expect(header.headers[REASON_HEADER]).toBe(
        `header "x-evil" is not in the allowed headers of 'frontend' (allowed: Content-Type)`,
      );
    });

    it('names it on a refused actual request too, and never on an allowed one', async () => {
      const refused = await request(server()).post('/notes').set('Origin', EVIL).send(NOTE);
      expect(refused.headers[REASON_HEADER]).toMatch(/^origin "https:\/\/evil\.example" is not in policy 'frontend'/);
      const allowed = await request(server()).post('/notes').set('Origin', FRONTEND).send(NOTE);
      expect(allowed.headers[REASON_HEADER]).toBeUndefined();
      const pre = await preflight(server(), '/notes', FRONTEND, 'POST', 'content-type');
      expect(pre.headers[REASON_HEADER]).toBeUndefined();
    });

    it('escapes and bounds what the request sent', async () => {
      const origin = `https://${'x'.repeat(400)}.example`;
      const res = await preflight(server(), '/notes', origin, 'POST');
      const value = String(res.headers[REASON_HEADER]);
      expect(value.length).toBeLessThanOrEqual(300);
      expect(value).toMatch(/^[\x20-\x7e]+$/);
    });
  });

  describe('without exposeRejectionReason (the default)', () => {
    const running = useApp(() => startFixtureApp(NotesModule.exposingRejectionReason(false)));

    it('never carries the reason, on a refused preflight or a refused actual request', async () => {
      const pre = await preflight(running.server(), '/notes', EVIL, 'POST', 'content-type');
      expect(pre.status).toBe(403);
      const actual = await request(running.server()).post('/notes').set('Origin', EVIL).send(NOTE);
      expect(actual.headers['access-control-allow-origin']).toBeUndefined();
      expect([pre.headers[REASON_HEADER], actual.headers[REASON_HEADER]]).toEqual([undefined, undefined]);
    });
  });
});
