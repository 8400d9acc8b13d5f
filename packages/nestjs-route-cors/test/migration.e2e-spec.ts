/**
 * The migration the recipe describes (issue 34), proved on recorded traffic:
 * the same requests through one application twice, first in report-only
 * beside `app.enableCors()` (which answers them all), then enforced without
 * it. Report-only reports exactly the refusals enforce then makes, and the
 * disagreements it reports are the refusals the old layer did not make.
 */
import { Controller, Delete, Get, type INestApplication, Module, Post, Put } from '@nestjs/common';
import { Cors, CorsModule, type CorsModuleOptions } from 'nestjs-route-cors';
import { createFixtureApp } from '../../../test/support/fixture-app.js';
import {
  disagreementsOf,
  type RecordedRequest,
  type ReplayedRequest,
  refusalsOf,
  refusedRequestsOf,
  replayRecorded,
} from '../../../test/support/recorded-traffic.js';

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

/** A day of traffic: the front end, a partner, a forgotten mobile web view, an attacker, a health check. */
const TRAFFIC: readonly RecordedRequest[] = [
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

/** The recorded traffic through the shop, with its decision events. */
async function decisionsOf(options: CorsModuleOptions, otherLayer: boolean): Promise<ReplayedRequest[]> {
  @Module({
    imports: [CorsModule.forRoot({ logRoutes: false, policies: POLICIES, ...options })],
    controllers: [AccountController, ItemsController],
  })
  class ShopModule {}
  const app: INestApplication = await createFixtureApp(ShopModule);
  // What main.ts had: every origin reflected, the usual methods, every requested header.
  if (otherLayer) app.enableCors({ origin: true, methods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'] });
  return replayRecorded(app, TRAFFIC);
}

describe('from enableCors() to enforce, on recorded traffic', () => {
  let reported: ReplayedRequest[];
  let enforced: ReplayedRequest[];
  beforeAll(async () => {
    reported = await decisionsOf({ mode: 'report-only' }, true);
    enforced = await decisionsOf({}, false);
  });

  it('one decision per CORS request in both runs', () => {
    expect(reported.map(({ events }) => events.length)).toEqual(TRAFFIC.map(() => 1));
    expect(enforced.map(({ events }) => events.length)).toEqual(TRAFFIC.map(() => 1));
  });

  it('report-only reports exactly the refusals enforce makes', () => {
    expect(refusalsOf(reported)).toEqual(refusalsOf(enforced));
    expect(refusalsOf(enforced)).toHaveLength(6);
  });

  it('and each of them as a disagreement: the old layer allowed what enforce refuses', () => {
    expect(disagreementsOf(reported)).toEqual(refusedRequestsOf(reported));
    expect(disagreementsOf(reported)).toHaveLength(6);
  });

  it('while the old layer still answered: no request failed in report-only that enforce refuses with 403', () => {
    expect(reported.map(({ status }) => status)).not.toContain(403);
    expect(enforced.filter(({ status }) => status === 403)).toHaveLength(4);
  });
});
