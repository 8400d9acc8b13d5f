/**
 * Report-only mode (issue 34): every request decided as in `enforce`, nothing
 * written or ended by the module, another CORS layer allowed to answer, and
 * each answer that disagrees with the policy reported once, with both
 * answers, on the decision channel. Real HTTP on the platform under test.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Controller, Get, type INestApplication, Module, Put, Req } from '@nestjs/common';
import {
  type CorsDecisionEvent,
  CorsModule,
  type CorsModuleOptions,
  Cors,
  CorsPolicies,
  formatExplanation,
  DECISION_CHANNEL,
  allowedByCors,
} from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import fastifyCors from '@fastify/cors';
import cors from 'cors';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createFixtureApp, initialised, ON_FASTIFY, preflight } from '../../../test/support/fixture-app.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

@Cors({ origins: [ALLOWED], methods: ['GET', 'PUT'], allowedHeaders: ['Content-Type'], strict: true })
@Controller('orders')
class OrdersController {
  @Get()
  list(@Req() req: unknown): { trustedForCsrf: boolean } {
    return { trustedForCsrf: allowedByCors(req) };
  }

  @Put()
  update(): { updated: true } {
    return { updated: true };
  }

  @Cors({ origins: [ALLOWED], mode: 'enforce' })
  @Get('enforced')
  enforced(): string {
    return 'enforced';
  }
}

/** A route no policy covers: what the other layer answered for, and the migration would leave without CORS. */
@Controller('status')
class StatusController {
  @Get()
  status(): string {
    return 'up';
  }
}

const events: CorsDecisionEvent[] = [];
const record = (message: unknown): void => void events.push(message as CorsDecisionEvent);
beforeAll(() => subscribe(DECISION_CHANNEL, record));
afterAll(() => unsubscribe(DECISION_CHANNEL, record));
beforeEach(() => {
  events.length = 0;
});

async function start(
  options: CorsModuleOptions,
  otherLayer?: (app: INestApplication) => void,
): Promise<INestApplication> {
  @Module({
    imports: [CorsModule.forRoot({ logRoutes: false, ...options })],
    controllers: [OrdersController, StatusController],
  })
  class ReportOnlyModule {}
  const app = await createFixtureApp(ReportOnlyModule);
  otherLayer?.(app);
  return initialised(app);
}

/** The one event of a request the policy refuses and the answer sent allowed for `origin`. */
function refusedWhatWasSent(origin: string, fields: Partial<CorsDecisionEvent>): unknown[] {
  return [
    expect.objectContaining({
      outcome: 'refused',
      ...fields,
      disagreement: {
        policy: expect.objectContaining({ allowed: false, allowOrigin: undefined }) as unknown,
        sent: expect.objectContaining({ allowed: true, allowOrigin: origin }) as unknown,
      },
    }),
  ];
}

function closing(apps: INestApplication[]): void {
  afterAll(() => Promise.all(apps.map((app) => app.close())));
}

describe('report-only mode without another CORS layer', () => {
  const apps: INestApplication[] = [];
  closing(apps);
  let server: App;
  beforeAll(async () => {
    const app = await start({ mode: 'report-only' });
    apps.push(app);
    server = app.getHttpServer() as App;
  });

  it('writes no CORS header and ends nothing: a refused origin reaches a strict handler', async () => {
    const res = await request(server).put('/orders').set('Origin', EVIL);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ updated: true });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(events).toEqual([
      expect.objectContaining({ kind: 'actual', outcome: 'refused', mode: 'report-only', code: 'origin-not-allowed' }),
    ]);
    // The policy refuses and nothing allowed it either: the two agree.
    expect(events[0]?.disagreement).toBeUndefined();
  });

  it('does not answer a preflight, and reports that the policy would have allowed it', async () => {
    const res = await preflight(server, '/orders', ALLOWED, 'PUT', 'content-type');
    expect(res.status).not.toBe(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'preflight',
        outcome: 'allowed',
        originClass: 'listed',
        route: '/orders',
        disagreement: {
          policy: expect.objectContaining({ allowed: true, allowOrigin: ALLOWED, allowMethods: 'GET, HEAD, PUT' }),
          sent: expect.objectContaining({ allowed: false, allowOrigin: undefined }),
        },
      }),
    ]);
  });

  it('sets no CSRF mark on an allowed request, and explain() says so', async () => {
    const res = await request(server).get('/orders').set('Origin', ALLOWED);
    expect(res.body).toEqual({ trustedForCsrf: false });
    const explained = await apps[0].get(CorsPolicies).explain({
      origin: ALLOWED,
      method: 'GET',
      path: '/orders',
      headers: [],
      credentials: false,
    });
    expect(explained).toMatchObject({ allowed: true, mode: 'report-only', csrfExempt: false });
  });

  it("explain() says which mode the route's answers are in, and cors:explain's text says what report-only means", async () => {
    const policies = apps[0].get(CorsPolicies);
    const reported = await policies.explain({
      origin: EVIL,
      method: 'PUT',
      path: '/orders',
      headers: [],
      credentials: false,
    });
    expect(reported.mode).toBe('report-only');
    expect(reported.allowed).toBe(false);
    expect(formatExplanation(reported)).toMatch(
      /^Mode: report-only\. The application decides as below but writes none/m,
    );
    const enforced = await policies.explain({
      origin: ALLOWED,
      method: 'GET',
      path: '/orders/enforced',
      headers: [],
      credentials: false,
    });
    expect(enforced.mode).toBe('enforce');
    expect(formatExplanation(enforced)).not.toMatch(/^Mode:/m);
  });

  it("enforces a policy whose own mode is 'enforce'", async () => {
    const res = await request(server).get('/orders/enforced').set('Origin', ALLOWED);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(events).toEqual([expect.objectContaining({ mode: 'enforce', outcome: 'allowed' })]);
  });
});

describe('report-only beside app.enableCors()', () => {
  const apps: INestApplication[] = [];
  closing(apps);
  let server: App;
  beforeAll(async () => {
    // The layer the application ran with: every origin reflected, every method, every requested header.
    const app = await start({ mode: 'report-only' }, (created) => created.enableCors({ origin: true }));
    apps.push(app);
    server = app.getHttpServer() as App;
  });

  it('lets the other layer answer, and reports nothing where it agrees with the policy', async () => {
    const res = await request(server).get('/orders').set('Origin', ALLOWED);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(events).toEqual([expect.objectContaining({ kind: 'actual', outcome: 'allowed' })]);
    expect(events[0]?.disagreement).toBeUndefined();
  });

  it('reports an origin the other layer allows and the policy refuses, with both answers', async () => {
    const res = await request(server).get('/orders').set('Origin', EVIL);
    expect(res.headers['access-control-allow-origin']).toBe(EVIL);
    expect(events).toEqual(refusedWhatWasSent(EVIL, { code: 'origin-not-allowed', originClass: 'unlisted' }));
  });

  it('reports a route no policy covers, which the other layer answered and enforce will leave without CORS', async () => {
    const res = await request(server).get('/status').set('Origin', ALLOWED);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(events).toEqual(refusedWhatWasSent(ALLOWED, { kind: 'actual', policy: '(none)', code: 'no-policy' }));
    await request(server).get('/status').expect(200);
    expect(events).toHaveLength(1);
  });

  it('reports a preflight the other layer answers for a header the policy does not allow', async () => {
    const res = await preflight(server, '/orders', ALLOWED, 'GET', 'x-debug');
    expect(res.status).toBe(204);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'preflight',
        outcome: 'refused',
        code: 'header-not-allowed',
        originClass: 'listed',
        disagreement: expect.objectContaining({ sent: expect.objectContaining({ allowed: true }) }),
      }),
    ]);
  });
});

describe("report-only from forRootAsync, beside the platform's own CORS package", () => {
  const apps: INestApplication[] = [];
  closing(apps);
  const logged: string[] = [];
  const warned: string[] = [];
  let server: App;
  beforeAll(async () => {
    @Module({
      imports: [
        CorsModule.forRootAsync({
          useFactory: () => ({ logRoutes: false, mode: 'report-only', rejectionLog: { interval: 0 } }),
        }),
      ],
      controllers: [OrdersController, StatusController],
    })
    class AsyncReportOnlyModule {}
    const app = await createFixtureApp(AsyncReportOnlyModule, {
      logger: {
        log: (message: unknown) => void logged.push(String(message)),
        warn: (message: unknown) => void warned.push(String(message)),
        error: () => undefined,
      },
    });
    // expressjs/cors through app.use(), @fastify/cors registered on the instance: each refused outside report-only.
    if (ON_FASTIFY) await (app as NestFastifyApplication).register(fastifyCors, { origin: true });
    else app.use(cors({ origin: true }));
    apps.push(await initialised(app));
    server = app.getHttpServer() as App;
  });

  it('starts, saying once that another layer may answer', () => {
    expect(logged.filter((line) => line.startsWith('report-only mode:'))).toHaveLength(1);
  });

  it('leaves the answer to that layer and reports where it disagrees', async () => {
    const res = await request(server).get('/orders').set('Origin', EVIL);
    expect(res.headers['access-control-allow-origin']).toBe(EVIL);
    expect(events).toEqual([
      expect.objectContaining({ outcome: 'refused', disagreement: expect.objectContaining({}) as unknown }),
    ]);
  });

  it('warns of each disagreement, naming the route no policy covers', async () => {
    warned.length = 0;
    await request(server).get('/orders').set('Origin', EVIL);
    await request(server).get('/status').set('Origin', EVIL);
    expect(warned).toEqual([
      expect.stringMatching(
        /^report-only: policy 'inline@OrdersController' refuses actual GET \/orders .*origin="https:\/\/evil\.example", the answer sent allows it: sent Allow-Origin "https:\/\/evil\.example"; the policy would send Allow-Origin \(none\)/,
      ),
      expect.stringMatching(
        /^report-only: actual request=\S+ origin="https:\/\/evil\.example": no @Cors\(\) policy covers "GET" \/status, so it gets no CORS header; the answer sent allows it: sent Allow-Origin "https:\/\/evil\.example"$/,
      ),
    ]);
  });
});

describe('report-only warnings beside enableCors(), one interval', () => {
  const apps: INestApplication[] = [];
  closing(apps);
  const warned: string[] = [];
  let server: App;
  beforeAll(async () => {
    @Module({
      imports: [CorsModule.forRoot({ logRoutes: false, mode: 'report-only', rejectionLog: { interval: 60_000 } })],
      controllers: [OrdersController, StatusController],
    })
    class OneIntervalModule {}
    const app = await createFixtureApp(OneIntervalModule, {
      logger: {
        log: () => undefined,
        warn: (message: unknown) => void warned.push(String(message)),
        error: () => undefined,
      },
    });
    app.enableCors({ origin: true });
    apps.push(await initialised(app));
    server = app.getHttpServer() as App;
  });

  it('a path nothing serves cannot hide a route no policy covers: each has its own warning, the long path cut short', async () => {
    await request(server)
      .get(`/${'a'.repeat(8_000)}`)
      .set('Origin', EVIL);
    await request(server)
      .get(`/${'b'.repeat(8_000)}`)
      .set('Origin', EVIL);
    await request(server).get('/status').set('Origin', EVIL);
    expect(warned).toHaveLength(2);
    expect(warned[0]).toMatch(
      /covers "GET" \/a{199}\.\.\. \(8001 characters\), so it gets no CORS header \(no Nest route/,
    );
    expect(warned[0]?.length).toBeLessThan(600);
    expect(warned[1]).toMatch(/no @Cors\(\) policy covers "GET" \/status, so it gets no CORS header; the answer sent/);
  });

  it('quotes what the other layer reflected, so that an origin cannot write more of the sentence', async () => {
    const forged = 'https://scanner.example, the policy would send Allow-Origin https://scanner.example';
    await request(server).get('/orders').set('Origin', forged);
    expect(warned.at(-1)).toContain(`sent Allow-Origin ${JSON.stringify(forged)}; the policy would send`);
  });
});

describe('another CORS layer outside report-only', () => {
  it("still stops start-up in 'enforce', even where a policy reports only", async () => {
    const app = await createFixtureApp(
      (() => {
        @Module({ imports: [CorsModule.forRoot({ logRoutes: false })], controllers: [OrdersController] })
        class EnforcedModule {}
        return EnforcedModule;
      })(),
    );
    try {
      expect(() => app.enableCors()).toThrow(/adds a second CORS layer beside CorsModule/);
    } finally {
      await app.close();
    }
  });
});
