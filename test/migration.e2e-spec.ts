/**
 * The migration recipe on the demo app itself (issue 34): the greet service as
 * it ran with `app.enableCors()` in main.ts, started with `CORS_MODE=report-only`
 * beside it, then with the default `enforce` and without it. The same recorded
 * traffic goes through both: report-only reports exactly the refusals enforce
 * then makes, each one a disagreement with what the old layer sent, while the
 * old layer still answered every request.
 */
import type { INestApplication } from '@nestjs/common';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/environment.js';
import { createTestApp, HTTP_ADAPTER } from './app.harness.js';
import {
  disagreementsOf,
  type RecordedRequest,
  type ReplayedRequest,
  refusalsOf,
  refusedRequestsOf,
  replayRecorded,
} from './support/recorded-traffic.js';

const PAGE = 'http://localhost:1234';
const APP = 'https://app.example.com';
const FORGOTTEN = 'https://mobile.example.com';
const STATUS_PAGE = 'https://status.example.org';
const EVIL = 'https://evil.example';
const GREETING = { name: 'Alice', lang: 'es' };
const JSON_PREFLIGHT = { method: 'POST', headers: 'content-type' };

/** A day of the greet service's traffic: both front ends, a forgotten web view, a status page, an attacker, curl. */
const TRAFFIC: readonly RecordedRequest[] = [
  { method: 'OPTIONS', path: '/greet', origin: PAGE, asks: JSON_PREFLIGHT },
  { method: 'POST', path: '/greet', origin: PAGE, body: GREETING },
  { method: 'OPTIONS', path: '/greet', origin: APP, asks: JSON_PREFLIGHT },
  { method: 'POST', path: '/greet', origin: APP, body: GREETING },
  { method: 'OPTIONS', path: '/greet', origin: FORGOTTEN, asks: JSON_PREFLIGHT },
  { method: 'POST', path: '/greet', origin: FORGOTTEN, body: GREETING },
  { method: 'OPTIONS', path: '/greet', origin: PAGE, asks: { method: 'PUT' } },
  { method: 'OPTIONS', path: '/greet', origin: PAGE, asks: { method: 'POST', headers: 'content-type,x-debug' } },
  { method: 'GET', path: '/health', origin: STATUS_PAGE },
  { method: 'POST', path: '/greet', origin: EVIL, body: GREETING },
  { method: 'GET', path: '/health' },
  { method: 'POST', path: '/greet', body: GREETING },
];

/** The demo app in a CORS mode, beside main.ts's old `app.enableCors()` or not, through the recorded traffic. */
async function replayedThrough(mode: string, oldLayer: boolean): Promise<ReplayedRequest[]> {
  const config = loadConfig({ HTTP_ADAPTER, CORS_MODE: mode });
  const app: INestApplication = await createTestApp(AppModule.forConfig(config), config);
  // What main.ts had before the migration: every origin reflected, cors()'s default methods, every requested header.
  if (oldLayer) app.enableCors({ origin: true });
  return replayRecorded(app, TRAFFIC);
}

describe('the demo app from enableCors() to enforce, on recorded traffic', () => {
  let reported: ReplayedRequest[];
  let enforced: ReplayedRequest[];
  beforeAll(async () => {
    reported = await replayedThrough('report-only', true);
    enforced = await replayedThrough('enforce', false);
  });

  it('one decision per request in both runs, but for the health check without Origin (no policy, not CORS)', () => {
    const expected = TRAFFIC.map(({ path, origin }) => (path === '/health' && origin === undefined ? 0 : 1));
    expect(reported.map(({ events }) => events.length)).toEqual(expected);
    expect(enforced.map(({ events }) => events.length)).toEqual(expected);
    expect(reported.flatMap(({ events }) => events.map(({ mode }) => mode))).toEqual(Array(11).fill('report-only'));
    expect(enforced.flatMap(({ events }) => events.map(({ mode }) => mode))).toEqual(Array(11).fill('enforce'));
  });

  it('report-only reports exactly the refusals enforce makes: the forgotten web view, PUT, X-Debug, the status page, the attacker', () => {
    expect(refusalsOf(reported)).toEqual(refusalsOf(enforced));
    expect(refusedRequestsOf(enforced)).toEqual([4, 5, 6, 7, 8, 9].map((at) => JSON.stringify(TRAFFIC[at])));
    // The status page reads /health, which no policy covers: enforce sends it no CORS header.
    expect(refusalsOf(enforced)).toContain(`${JSON.stringify(TRAFFIC[8])} actual (none) no-policy`);
  });

  it('each of them a disagreement: enableCors() allowed every one', () => {
    expect(disagreementsOf(reported)).toEqual(refusedRequestsOf(reported));
    expect(disagreementsOf(reported)).toHaveLength(6);
  });

  it('the old layer still answered in report-only; enforce refuses the three preflights with 403', () => {
    expect(reported.map(({ status }) => status)).not.toContain(403);
    expect(enforced.filter(({ status }) => status === 403).map(({ request }) => request)).toEqual(
      [TRAFFIC[4], TRAFFIC[6], TRAFFIC[7]].map((recorded) => JSON.stringify(recorded)),
    );
  });
});
