/**
 * Decision events (issue 34): one on `nestjs-route-cors:decision` per
 * preflight, actual request and gateway handshake, with only bounded
 * values (never the origin or the path as sent), on the platform under test.
 */
import { channel, subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Controller, Get, type INestApplication, Module, Param, Post } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocketGateway } from '@nestjs/websockets';
import { Cors, type CorsDecisionEvent, CorsModule, DECISION_CHANNEL } from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { createFixtureApp, listening, preflight } from '../../../test/support/fixture-app.js';
import { upgrade } from '../../../test/support/handshakes.js';

const LISTED = 'https://app.example.com';
const UNDER_PATTERN = 'https://eu.tenants.example';
const BY_PREDICATE = 'https://partner.example';
const EVIL = 'https://evil.example';

@Cors({
  origins: [LISTED, 'https://*.tenants.example'],
  originPredicate: (origin) => origin === BY_PREDICATE,
  methods: ['GET', 'POST'],
  strict: true,
})
@Controller('items')
class ItemsController {
  @Get(':id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Post()
  create(): { created: true } {
    return { created: true };
  }

  @Cors({ origins: '*' })
  @Get()
  list(): string[] {
    return [];
  }
}

/** No policy: its cross-origin requests get no CORS header, and are reported as refused (`no-policy`). */
@Controller('status')
class StatusController {
  @Get()
  status(): string {
    return 'up';
  }
}

@Cors({ origins: [LISTED] })
@WebSocketGateway({ path: '/live' })
class LiveGateway {}

@Module({
  imports: [CorsModule.forRoot({ logRoutes: false })],
  controllers: [ItemsController, StatusController],
  providers: [LiveGateway],
})
class EventsModule {}

const events: CorsDecisionEvent[] = [];
const record = (message: unknown): void => void events.push(message as CorsDecisionEvent);

describe('decision events', () => {
  let app: INestApplication;
  let port: number;
  const server = (): App => app.getHttpServer() as App;
  beforeAll(async () => {
    subscribe(DECISION_CHANNEL, record);
    app = await createFixtureApp(EventsModule);
    app.useWebSocketAdapter(new WsAdapter(app));
    port = await listening(app);
  });
  afterAll(async () => {
    unsubscribe(DECISION_CHANNEL, record);
    await app?.close();
  });
  beforeEach(() => {
    events.length = 0;
  });

  it('one per allowed preflight, with the route as declared and how the origin matched', async () => {
    await preflight(server(), '/items/42', UNDER_PATTERN, 'GET').expect(204);
    expect(events).toEqual([
      {
        kind: 'preflight',
        outcome: 'allowed',
        mode: 'enforce',
        policy: 'inline@ItemsController',
        code: undefined,
        route: '/items/:id',
        originClass: 'pattern',
      },
    ]);
  });

  it.each([
    [LISTED, 'listed'],
    [BY_PREDICATE, 'predicate'],
  ])('one per allowed actual request from %s (%s)', async (origin, originClass) => {
    await request(server()).get('/items/1').set('Origin', origin).expect(200);
    expect(events).toEqual([expect.objectContaining({ kind: 'actual', outcome: 'allowed', originClass })]);
  });

  it('one per refused strict request, with its code', async () => {
    await request(server()).post('/items').set('Origin', EVIL).expect(403);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'actual',
        outcome: 'refused',
        code: 'origin-not-allowed',
        originClass: 'unlisted',
      }),
    ]);
  });

  it('a public policy, and requests that are not CORS', async () => {
    await request(server()).get('/items').set('Origin', EVIL).expect(200);
    await request(server()).get('/items/1').expect(200);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'actual', outcome: 'allowed', originClass: 'public', route: '/items' }),
      expect.objectContaining({ kind: 'actual', outcome: 'not-cors', originClass: 'none' }),
    ]);
  });

  it('one per cross-origin request on a path no policy covers, refused by default with nothing written', async () => {
    const res = await request(server()).get('/status').set('Origin', LISTED).expect(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers.vary).toBeUndefined();
    await request(server()).get('/status').expect(200);
    await preflight(server(), '/status', LISTED, 'GET');
    expect(events).toEqual([
      {
        kind: 'actual',
        outcome: 'refused',
        mode: 'enforce',
        policy: '(none)',
        code: 'no-policy',
        route: '/status',
        originClass: 'unlisted',
      },
      expect.objectContaining({ kind: 'preflight', outcome: 'refused', code: 'no-policy' }),
    ]);
  });

  it('one per gateway handshake, refused or allowed', async () => {
    expect((await upgrade(port, '/live', { Origin: EVIL })).status).toBe(403);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'handshake', outcome: 'refused', code: 'origin-not-allowed', route: '/live' }),
    ]);
  });

  it('none while no one listens: @opentelemetry/api and @nestjs/observe installed subscribe nothing without their SDK or module', async () => {
    unsubscribe(DECISION_CHANNEL, record);
    try {
      expect(channel(DECISION_CHANNEL).hasSubscribers).toBe(false);
      await request(server()).get('/items/1').set('Origin', LISTED).expect(200);
    } finally {
      subscribe(DECISION_CHANNEL, record);
    }
    expect(events).toEqual([]);
  });
});
