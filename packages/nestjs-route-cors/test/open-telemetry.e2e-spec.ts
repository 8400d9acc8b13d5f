/**
 * OpenTelemetry with the real SDK (issue 34): `@opentelemetry/instrumentation-http`
 * opens the server span at node:http level, before any Nest hook; the
 * module, finding `@opentelemetry/api`, sets the `cors.*` attributes on that
 * active span and counts the decision in `cors.decisions`, with only bounded
 * attributes. An in-memory span exporter and metric exporter read them back.
 */
import http from 'node:http';
import { Controller, Get, type INestApplication, Module, Put } from '@nestjs/common';
import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Cors, CorsModule } from 'nestjs-route-cors';
import { createFixtureApp, initialised, preflight } from '../../../test/support/fixture-app.js';
import type { App } from 'supertest/types.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';

@Cors({ origins: [ALLOWED], methods: ['GET', 'PUT'] })
@Controller('orders')
class OrdersController {
  @Get()
  list(): string[] {
    return [];
  }

  @Put()
  update(): string {
    return 'updated';
  }
}

@Module({ imports: [CorsModule.forRoot({ logRoutes: false })], controllers: [OrdersController] })
class TracedModule {}

const spans = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const metricReader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ readers: [metricReader] });
const httpInstrumentation = new HttpInstrumentation();
/** Its definition of node:http: the patch Node's require hook would apply (`InstrumentationBase`). */
const httpDefinition = httpInstrumentation.getModuleDefinitions().find((definition) => definition.name === 'http');
let disableInstrumentations: () => void = () => undefined;
let app: INestApplication;

/** The counter's data points, by their attributes, as the SDK exports them. */
async function decisionCounts(): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>> {
  await metricReader.forceFlush();
  const exported = metricExporter.getMetrics().at(-1);
  const metric = exported?.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .find((candidate) => candidate.descriptor.name === 'cors.decisions');
  return (metric?.dataPoints ?? []).map(({ attributes, value }) => ({ attributes, value }));
}

beforeAll(async () => {
  tracerProvider.register();
  metrics.setGlobalMeterProvider(meterProvider);
  disableInstrumentations = registerInstrumentations({ instrumentations: [httpInstrumentation] });
  // Jest gives modules a require of its own, so Node's require hook, where the instrumentation patches node:http in an
  // application, never sees it: its own patch is applied to the module the servers are made from.
  httpDefinition?.patch?.(http);
  app = await initialised(await createFixtureApp(TracedModule));
});

afterAll(async () => {
  await app?.close();
  httpDefinition?.unpatch?.(http);
  disableInstrumentations();
  await tracerProvider.shutdown();
  await meterProvider.shutdown();
  trace.disable();
  metrics.disable();
  context.disable();
});

describe('a refused preflight under OpenTelemetry', () => {
  it('is a server span with the cors attributes, and a count of cors.decisions', async () => {
    await preflight(app.getHttpServer() as App, '/orders', EVIL, 'PUT').expect(403);
    const attributes = {
      'cors.kind': 'preflight',
      'cors.outcome': 'refused',
      'cors.policy': 'inline@OrdersController',
      'cors.code': 'origin-not-allowed',
      'cors.origin_class': 'unlisted',
      'cors.mode': 'enforce',
    };
    const server = spans.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(server).toHaveLength(1);
    expect(server[0]?.attributes).toEqual(
      expect.objectContaining({ 'http.request.method': 'OPTIONS', 'http.response.status_code': 403, ...attributes }),
    );
    expect(await decisionCounts()).toEqual([{ attributes, value: 1 }]);
  });

  it('never carries the origin or the path in the counter', async () => {
    await preflight(app.getHttpServer() as App, '/orders?x=1', 'https://other.example', 'PUT').expect(403);
    const counts = await decisionCounts();
    expect(counts).toHaveLength(1);
    expect(counts[0]?.value).toBe(2);
    expect(JSON.stringify(counts)).not.toMatch(/example|\/orders/);
  });
});
