/**
 * The refusal reason the service shows outside production only
 * (`exposeRejectionReason`, from NODE_ENV). How the package writes it is its
 * own suite's (packages/nestjs-route-cors/test/testing-helpers.e2e-spec.ts).
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { preflight, startApp, useApp } from './app.harness.js';

const FRONTEND = 'http://localhost:1234';
const EVIL = 'https://evil.example';
const REASON_HEADER = 'x-cors-rejection-reason';

/** The reason headers of a refused preflight and a refused actual request to POST /greet. */
async function refusalReasons(server: App): Promise<unknown[]> {
  const pre = await preflight(server, '/greet', EVIL, 'POST', 'content-type');
  const actual = await request(server).post('/greet').set('Origin', EVIL).send({ name: 'A' });
  expect([pre.status, actual.headers['access-control-allow-origin']]).toEqual([403, undefined]);
  return [pre.headers[REASON_HEADER], actual.headers[REASON_HEADER]];
}

describe('the refusal reason in a response header', () => {
  describe('outside production (the default configuration)', () => {
    const running = useApp(() => startApp());

    it('names the rule that refused a preflight or an actual request, and never on an allowed one', async () => {
      const because = `origin "${EVIL}" is not in policy 'frontend' (allowed: http://localhost:1234, https://app.example.com)`;
      expect(await refusalReasons(running.server())).toEqual([because, because]);
      const allowed = await request(running.server()).post('/greet').set('Origin', FRONTEND).send({ name: 'A' });
      expect(allowed.headers[REASON_HEADER]).toBeUndefined();
    });
  });

  describe('in production', () => {
    const running = useApp(() => startApp({ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: 'https://app.example.com' }));

    it('never carries the reason, on a refused preflight or a refused actual request', async () => {
      expect(await refusalReasons(running.server())).toEqual([undefined, undefined]);
    });
  });
});
