/**
 * The migration the recipe describes (issue 34), proved on recorded traffic:
 * the same requests through one application twice, first in report-only
 * beside `app.enableCors()` (which answers them all), then enforced without
 * it. Report-only reports exactly the refusals enforce then makes, and the
 * disagreements it reports are the refusals the old layer did not make.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Controller, Delete, Get, type INestApplication, Module, Post, Put } from '@nestjs/common';
import { Cors, type CorsDecisionEvent, CorsModule, type CorsModuleOptions, DECISION_CHANNEL } from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { createFixtureApp, initialised } from '../../../test/support/fixture-app.js';

const FRONTEND = 'https://app.example.com';
const PARTNER = 'https://partner.example.net';
const FORGOTTEN = 'https://mobile.example.com';
const EVIL = 'https://evil.example';

@Cors('frontend')
@Controller('account')
class AccountController {
  @Get()
  show(): string {
    return 'account';
  }

  @Post('transfer')
  @Cors('strict')
  transfer(): string {
    return 'sent';
  }
}

@Cors({ origins: [FRONTEND], originPredicate: (origin) => origin === PARTNER, methods: ['GET', 'PUT', 'DELETE'] })
@Controller('items')
class ItemsController {
  @Get(':id')
  one(): string {
    return 'item';
  }

  @Put(':id')
  update(): string {
    return 'updated';
  }

  @Delete(':id')
  remove(): string {
    return 'removed';
  }
}

/** A request as recorded: its method, path, origin, and for a preflight what it asks for. */
interface Recorded {
  readonly method: string;
  readonly path: string;
  readonly origin?: string;
  readonly asks?: { readonly method: string; readonly headers?: string };
}

/** A day of traffic: the front end, a partner, a forgotten mobile web view, an attacker, a health check. */
const TRAFFIC: readonly Recorded[] = [
  { method: 'GET', path: '/account', origin: FRONTEND },
  { method: 'OPTIONS', path: '/account', origin: FRONTEND, asks: { method: 'GET', headers: 'authorization' } },
  { method: 'GET', path: '/account', origin: FORGOTTEN },
  { method: 'OPTIONS', path: '/account', origin: FORGOTTEN, asks: { method: 'GET', headers: 'authorization' } },
  { method: 'POST', path: '/account/transfer', origin: FRONTEND },
  { method: 'POST', path: '/account/transfer', origin: EVIL },
  { method: 'GET', path: '/items/1', origin: PARTNER },
  { method: 'OPTIONS', path: '/items/1', origin: PARTNER, asks: { method: 'PUT', headers: 'content-type' } },
  { method: 'OPTIONS', path: '/items/1', origin: FRONTEND, asks: { method: 'DELETE' } },
  { method: 'OPTIONS', path: '/items/1', origin: FRONTEND, asks: { method: 'PATCH' } },
  { method: 'GET', path: '/items/2', origin: EVIL },
  { method: 'GET', path: '/items/2' },
];

const POLICIES: CorsModuleOptions['policies'] = {
  frontend: { origins: [FRONTEND], allowedHeaders: ['Authorization'] },
  strict: { origins: [FRONTEND], methods: ['POST'], strict: true },
};

function replay(server: App, { method, path, origin, asks }: Recorded): request.Test {
  let test = request(server)[method.toLowerCase() as 'get' | 'post' | 'options'](path);
  if (origin !== undefined) test = test.set('Origin', origin);
  if (asks !== undefined) test = test.set('Access-Control-Request-Method', asks.method);
  if (asks?.headers !== undefined) test = test.set('Access-Control-Request-Headers', asks.headers);
  return test;
}

/** Each recorded request with the decision events it caused, replayed one after the other. */
async function decisionsOf(
  options: CorsModuleOptions,
  otherLayer: boolean,
): Promise<Array<{ readonly request: string; readonly events: CorsDecisionEvent[]; readonly status: number }>> {
  @Module({
    imports: [CorsModule.forRoot({ logRoutes: false, policies: POLICIES, ...options })],
    controllers: [AccountController, ItemsController],
  })
  class ShopModule {}
  const app: INestApplication = await createFixtureApp(ShopModule);
  // What main.ts had: every origin reflected, the usual methods, every requested header.
  if (otherLayer) app.enableCors({ origin: true, methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] });
  await initialised(app);
  const seen: CorsDecisionEvent[] = [];
  const record = (message: unknown): void => void seen.push(message as CorsDecisionEvent);
  subscribe(DECISION_CHANNEL, record);
  try {
    const results = [];
    for (const recorded of TRAFFIC) {
      seen.length = 0;
      const { status } = await replay(app.getHttpServer() as App, recorded);
      results.push({ request: JSON.stringify(recorded), events: [...seen], status });
    }
    return results;
  } finally {
    unsubscribe(DECISION_CHANNEL, record);
    await app.close();
  }
}

/** The refusals, by request: its kind, policy and code. */
function refusals(decisions: Awaited<ReturnType<typeof decisionsOf>>): string[] {
  return decisions.flatMap(({ request: recorded, events }) =>
    events
      .filter((event) => event.outcome === 'refused')
      .map((event) => `${recorded} ${event.kind} ${event.policy} ${event.code ?? ''}`),
  );
}

describe('from enableCors() to enforce, on recorded traffic', () => {
  let reported: Awaited<ReturnType<typeof decisionsOf>>;
  let enforced: Awaited<ReturnType<typeof decisionsOf>>;
  beforeAll(async () => {
    reported = await decisionsOf({ mode: 'report-only' }, true);
    enforced = await decisionsOf({}, false);
  });

  it('one decision per CORS request in both runs', () => {
    expect(reported.map(({ events }) => events.length)).toEqual(TRAFFIC.map(() => 1));
    expect(enforced.map(({ events }) => events.length)).toEqual(TRAFFIC.map(() => 1));
  });

  it('report-only reports exactly the refusals enforce makes', () => {
    expect(refusals(reported)).toEqual(refusals(enforced));
    expect(refusals(enforced)).toHaveLength(6);
  });

  it('and each of them as a disagreement: the old layer allowed what enforce refuses', () => {
    const disagreements = reported.filter(({ events }) => events[0]?.disagreement !== undefined);
    expect(disagreements.map(({ request: recorded }) => recorded)).toEqual(
      reported.filter(({ events }) => events[0]?.outcome === 'refused').map(({ request: recorded }) => recorded),
    );
  });

  it('while the old layer still answered: no request failed in report-only that enforce refuses with 403', () => {
    expect(reported.map(({ status }) => status)).not.toContain(403);
    expect(enforced.filter(({ status }) => status === 403)).toHaveLength(4);
  });
});
