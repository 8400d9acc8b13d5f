/**
 * @Cors() on ws gateways (issue 19), on the HTTP platform under test:
 * @nestjs/platform-ws, a predicate that hangs, onReject, a gateway's own
 * verifyClient, and the declarations refused at start-up.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocketGateway } from '@nestjs/websockets';
import { Cors, CorsConfigurationError, CorsModule, type CorsRejectionEvent } from 'nestjs-route-cors';
import { createFixtureApp, HTTP_ADAPTER, listening } from '../../../test/support/fixture-app.js';
import { upgrade } from '../../../test/support/handshakes.js';

const ALLOWED = 'https://app.example.com';
const HANGING = 'https://hanging.example';
const DEADLINE_MS = 200;
const rejections: CorsRejectionEvent[] = [];
let verifiedByGateway = 0;

@Cors({
  origins: ['https://*.example.com'],
  originPredicate: (origin) => (origin === HANGING ? new Promise<boolean>(() => undefined) : false),
  originPredicateTimeout: DEADLINE_MS,
})
@WebSocketGateway({ path: '/live', verifyClient: () => ++verifiedByGateway > 0 })
class LiveGateway {}

/** No @Cors(): as Nest makes it, any origin connects. */
@WebSocketGateway({ path: '/open' })
class OpenGateway {}

@Module({
  imports: [CorsModule.forRoot({ logRoutes: false, onReject: (event) => rejections.push(event) })],
  providers: [LiveGateway, OpenGateway],
})
class WsAppModule {}

describe(`a ws gateway (@nestjs/platform-ws) sharing the ${HTTP_ADAPTER} server`, () => {
  let app: INestApplication;
  let port: number;
  beforeAll(async () => {
    app = await createFixtureApp(WsAppModule);
    app.useWebSocketAdapter(new WsAdapter(app));
    port = await listening(app);
  });

  it(`runs on ${HTTP_ADAPTER}`, () => {
    expect(app.getHttpAdapter().getType()).toBe(HTTP_ADAPTER);
  });
  afterAll(() => app.close());
  beforeEach(() => {
    rejections.length = 0;
    verifiedByGateway = 0;
  });

  it.each([
    ['a foreign origin', { Origin: 'https://evil.com' }],
    ['Origin: null', { Origin: 'null' }],
    ['the parent domain a pattern does not cover', { Origin: 'https://example.com' }],
  ])("refuses %s on the upgrade with 403, before the gateway's own verifyClient", async (_, headers) => {
    const answer = await upgrade(port, '/live', headers);
    expect(answer.status).toBe(403);
    expect(verifiedByGateway).toBe(0);
  });

  it("lets the allowed origin through, then asks the gateway's own verifyClient", async () => {
    expect((await upgrade(port, '/live', { Origin: ALLOWED })).status).toBe(101);
    expect(verifiedByGateway).toBe(1);
  });

  it('lets a program without Origin through', async () => {
    expect((await upgrade(port, '/live', {})).status).toBe(101);
  });

  it('refuses when the predicate hangs, at its deadline, and reports it', async () => {
    const started = Date.now();
    const answer = await upgrade(port, '/live', { Origin: HANGING });
    expect(answer.status).toBe(403);
    expect(Date.now() - started).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(rejections).toEqual([
      expect.objectContaining({
        path: '/live',
        origin: HANGING,
        rejection: expect.objectContaining({ code: 'origin-predicate-timeout' }),
      }),
    ]);
  });

  it('reports a refused upgrade to onReject once', async () => {
    await upgrade(port, '/live', { Origin: 'https://evil.com' });
    expect(rejections).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/live',
        origin: 'https://evil.com',
        policy: expect.stringContaining('inline@LiveGateway'),
      }),
    ]);
  });

  it('leaves a gateway without @Cors() as Nest makes it: any origin connects', async () => {
    expect((await upgrade(port, '/open', { Origin: 'https://evil.com' })).status).toBe(101);
  });
});

describe('declarations refused at start-up', () => {
  it("refuses @Cors() together with Socket.IO's own cors option", async () => {
    @Cors({ origins: [ALLOWED] })
    @WebSocketGateway({ cors: { origin: '*' } })
    class StarGateway {}
    @Module({ imports: [CorsModule.forRoot({})], providers: [StarGateway] })
    class StarModule {}
    await expect(createFixtureApp(StarModule)).rejects.toThrow(CorsConfigurationError);
  });

  it('refuses gateways that share a server but not a policy', async () => {
    @Cors({ origins: [ALLOWED] })
    @WebSocketGateway({ namespace: 'a' })
    class A {}
    @WebSocketGateway({ namespace: 'b' })
    class B {}
    @Module({ imports: [CorsModule.forRoot({})], providers: [A, B] })
    class SharedModule {}
    await expect(createFixtureApp(SharedModule)).rejects.toThrow(/share one WebSocket server/);
  });

  it('refuses an unknown policy name on a gateway', async () => {
    @Cors('nope')
    @WebSocketGateway()
    class Unknown {}
    @Module({ imports: [CorsModule.forRoot({ policies: {} })], providers: [Unknown] })
    class UnknownModule {}
    await expect(createFixtureApp(UnknownModule)).rejects.toThrow(/@Cors\('nope'\) on Unknown names an unknown policy/);
  });
});
