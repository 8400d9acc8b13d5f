/**
 * `@nestjs/observe` 0.3.3 itself beside `@Cors()` (issue 26): it sets the
 * adapter's request hook in `onModuleInit`; on Fastify that slot holds the
 * CORS hook, which shares it. Its collector endpoint is a closed loopback
 * port: it starts without its backend and never sends anything off the
 * machine (without an endpoint it would post to its hosted collector).
 */
import { createServer } from 'node:net';
import { Controller, Get, type INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createObserveModule, defaultTraceIdGenerator, TracerService } from '@nestjs/observe';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocketGateway } from '@nestjs/websockets';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { Cors, CorsModule } from 'nestjs-route-cors';
import { httpAdapter, listening, preflight } from '../../../test/support/fixture-app.js';
import { upgrade } from '../../../test/support/handshakes.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

/** The requests observe's request hook saw (it mints a trace id first thing). */
const tracedRequests: string[] = [];

const { ObserveModule, ObserveInstrument } = createObserveModule({
  traceIdGenerator: (req: unknown) => {
    const { method, url } = req as { method?: string; url?: string };
    tracedRequests.push(`${method} ${url}`);
    return defaultTraceIdGenerator(req);
  },
});

@Cors({ origins: [ALLOWED], methods: ['GET', 'POST'], allowedHeaders: ['Content-Type'] })
@Controller('items')
class ItemsController {
  constructor(private readonly tracer: TracerService) {}

  @Get()
  list(): { traceId: string | null } {
    return { traceId: this.tracer.currentTraceId() };
  }

  @Cors({ origins: [ALLOWED], strict: true })
  @Post()
  create(): { created: true } {
    return { created: true };
  }
}

@Cors({ origins: [ALLOWED] })
@WebSocketGateway({ path: '/live' })
class LiveGateway {}

/** An Observe counter's values, by its labels as JSON. */
type CounterValues = Readonly<Record<string, number>>;

/** What a counter counted since `before`: each label set that grew, with how much. */
function countsAdded(now: CounterValues, before: CounterValues): Array<readonly [Record<string, string>, number]> {
  return Object.entries(now)
    .map(([label, value]) => [JSON.parse(label) as Record<string, string>, value - (before[label] ?? 0)] as const)
    .filter(([, value]) => value > 0);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('@nestjs/observe beside @Cors()', () => {
  let app: INestApplication;
  let port: number;
  const server = (): App => app.getHttpServer() as App;

  beforeAll(async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    @Module({
      imports: [
        CorsModule.forRoot({ logRoutes: false }),
        ObserveModule.forRoot({ appKey: 'test', appSecret: 'test', serviceId: 'cors-test', endpoint }),
      ],
      controllers: [ItemsController],
      providers: [LiveGateway],
    })
    class ObservedAppModule {}
    app = await NestFactory.create(ObservedAppModule, httpAdapter(), { logger: false, instrument: ObserveInstrument });
    app.useWebSocketAdapter(new WsAdapter(app));
    port = await listening(app);
  });
  afterAll(() => app?.close());

  it('starts without its backend, and both run: CORS answers, observe traces the request into the handler', async () => {
    tracedRequests.length = 0;
    const res = await request(server()).get('/items').set('Origin', ALLOWED).set('X-Request-Id', 'trace-1');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.body).toEqual({ traceId: 'trace-1' });
    expect(tracedRequests).toEqual(['GET /items']);
  });

  it('answers preflights, allowed and refused, before observe, which shares the request-hook slot after CORS', async () => {
    tracedRequests.length = 0;
    expect((await preflight(server(), '/items', ALLOWED, 'GET', 'content-type')).status).toBe(204);
    expect((await preflight(server(), '/items', EVIL, 'GET', 'content-type')).status).toBe(403);
    // On both platforms the CORS hook holds the adapter's request-hook slot and observe's hook runs after it: the
    // preflights CORS ends never reach observe.
    expect(tracedRequests).toEqual([]);
  });

  it('counts what it does not trace in its cors_decisions counter: preflights and strict refusals, by policy and code', async () => {
    const counter = app.get(TracerService).counter('cors_decisions');
    const before: CounterValues = { ...counter.value };
    expect((await preflight(server(), '/items', EVIL, 'GET', 'content-type')).status).toBe(403);
    expect((await request(server()).post('/items').set('Origin', EVIL)).status).toBe(403);
    const added = countsAdded(counter.value, before);
    const refused = { outcome: 'refused', code: 'origin-not-allowed', origin_class: 'unlisted', mode: 'enforce' };
    expect(added).toEqual(
      expect.arrayContaining([
        [expect.objectContaining({ ...refused, kind: 'preflight', policy: 'inline@ItemsController' }), 1],
        [expect.objectContaining({ ...refused, kind: 'actual', policy: 'inline@ItemsController.create' }), 1],
      ]),
    );
    expect(added).toHaveLength(2);
  });

  it('counts refused gateway handshakes too, which never reach an HTTP handler it could trace', async () => {
    const counter = app.get(TracerService).counter('cors_decisions');
    const before: CounterValues = { ...counter.value };
    tracedRequests.length = 0;
    expect((await upgrade(port, '/live', { Origin: EVIL })).status).toBe(403);
    expect((await upgrade(port, '/live', { Origin: ALLOWED })).status).toBe(101);
    const added = countsAdded(counter.value, before);
    expect(added).toEqual(
      expect.arrayContaining([
        [
          expect.objectContaining({
            kind: 'handshake',
            outcome: 'refused',
            code: 'origin-not-allowed',
            policy: 'inline@LiveGateway + LiveGateway.handshake',
          }),
          1,
        ],
        [
          expect.objectContaining({
            kind: 'handshake',
            outcome: 'allowed',
            policy: 'inline@LiveGateway + LiveGateway.handshake',
          }),
          1,
        ],
      ]),
    );
    expect(added).toHaveLength(2);
    expect(tracedRequests).toEqual([]);
  });
});
