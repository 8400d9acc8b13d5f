/**
 * Issue 36: `TRUST_PROXY` decides whose `X-Forwarded-Proto` the service believes, hence the request's scheme and
 * what counts as same-origin. Seen from outside through the refusal reason the service exposes outside production
 * (`X-CORS-Rejection-Reason`): a same-origin request is never refused, a cross-origin one from an unlisted origin is.
 */
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { startApp, useApp } from './app.harness.js';

/** The name the page and the API share behind the proxy; only the scheme tells them apart. */
const HOST = 'api.example.test';

/** `POST /greet` as a proxy that ended TLS forwards it: `X-Forwarded-Proto: https`, over loopback. */
async function rejectionReason(server: App, origin: string): Promise<string | undefined> {
  const res = await request(server)
    .post('/greet')
    .set('Host', HOST)
    .set('X-Forwarded-Proto', 'https')
    .set('Origin', origin)
    .send({ name: 'Alice' });
  expect(res.status).toBe(200);
  return res.headers['x-cors-rejection-reason'];
}

describe('TRUST_PROXY=loopback: a proxy beside the service is believed', () => {
  const running = useApp(() => startApp({ TRUST_PROXY: 'loopback' }));

  it(`takes the scheme from its X-Forwarded-Proto: a page on https://${HOST} is same-origin, one on http://${HOST} is refused`, async () => {
    expect(await rejectionReason(running.server(), `https://${HOST}`)).toBeUndefined();
    expect(await rejectionReason(running.server(), `http://${HOST}`)).toContain(
      `origin "http://${HOST}" is not in policy 'frontend'`,
    );
  });
});

describe('without TRUST_PROXY: no proxy is believed', () => {
  const running = useApp(() => startApp());

  it(`ignores X-Forwarded-Proto: the connection is plain HTTP, so http://${HOST} is same-origin and https://${HOST} is refused`, async () => {
    expect(await rejectionReason(running.server(), `http://${HOST}`)).toBeUndefined();
    expect(await rejectionReason(running.server(), `https://${HOST}`)).toContain(
      `origin "https://${HOST}" is not in policy 'frontend'`,
    );
  });
});
