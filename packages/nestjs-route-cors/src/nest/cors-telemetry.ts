/**
 * Where the decision events go without the application writing a
 * subscriber: OpenTelemetry, when `@opentelemetry/api` is installed (the
 * active span gets the `cors.*` attributes, the `cors.decisions` counter
 * counts), and `@nestjs/observe`, when the application runs its module (its
 * `cors_decisions` counter). Both are subscribers of the one publication
 * point, `nestjs-route-cors:decision`, loaded lazily and only if present:
 * the package needs neither, and nothing subscribes without them (then
 * publishing costs nothing). Only bounded values become attributes and
 * labels: never the origin, the path or a refusal's sentence.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type CorsDecisionEvent, DECISION_CHANNEL } from '../core/decision-events.js';
import { CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import { isModuleNotFound } from './nest-routes.js';

type Attributes = Record<string, string>;

interface Meter {
  createCounter(name: string, options: { description: string }): { add(value: number, attributes: Attributes): void };
}

/** A tracer provider as `trace.getTracerProvider()` gives it: the API's proxy, whose delegate is the SDK's, if any. */
interface TracerProviderProxy {
  getDelegate(): unknown;
}

/** What is used of `@opentelemetry/api` (1.x): the active span, and a counter from the global meter provider. */
interface OpenTelemetryApi {
  readonly trace: {
    getActiveSpan(): { setAttributes(attributes: Attributes): unknown } | undefined;
    getTracerProvider(): unknown;
  };
  readonly metrics: { getMeterProvider(): { getMeter(name: string): Meter } };
  readonly ProxyTracerProvider: new () => TracerProviderProxy;
}

/** What is used of `@nestjs/observe` (0.3): its tracer's counters, labelled. */
interface ObserveCounter {
  increment(label: Attributes): void;
}
interface ObserveTracer {
  counter(name: string, attributes: { description: string; labels: string[] }): ObserveCounter;
}

type Subscriber = (event: CorsDecisionEvent) => void;

/** The attributes of a decision, as OpenTelemetry's semantic conventions spell them (dotted, lower case). */
function attributesOf(event: CorsDecisionEvent): Attributes {
  const attributes: Attributes = {
    'cors.kind': event.kind,
    'cors.outcome': event.outcome,
    'cors.policy': event.policy,
    'cors.origin_class': event.originClass,
    'cors.mode': event.mode,
  };
  if (event.code !== undefined) attributes['cors.code'] = event.code;
  return attributes;
}

const METER_NAME = 'nestjs-route-cors';

/**
 * Whether the application registered an SDK. Without one the API answers
 * every call with a no-op, and a subscriber would only cost every request
 * its event: `@opentelemetry/api` is often installed by a dependency alone.
 * Without an SDK the proxy's delegate is the API's no-op provider, the one a
 * fresh proxy has; the no-op meter provider gives one meter for every name.
 */
function sdkRegistered(api: OpenTelemetryApi): boolean {
  const tracing = api.trace.getTracerProvider();
  const tracingSdk =
    !(tracing instanceof api.ProxyTracerProvider) ||
    tracing.getDelegate() !== new api.ProxyTracerProvider().getDelegate();
  const meters = api.metrics.getMeterProvider();
  return tracingSdk || meters.getMeter(METER_NAME) !== meters.getMeter(`${METER_NAME}/sdk-probe`);
}

function openTelemetrySubscriber(api: OpenTelemetryApi): Subscriber {
  // Asked once: start the SDK before the application, as OpenTelemetry asks anyway.
  const meter = api.metrics.getMeterProvider().getMeter(METER_NAME);
  const decisions = meter.createCounter('cors.decisions', {
    description: 'CORS decisions: preflights, actual requests and gateway handshakes',
  });
  const disagreements = meter.createCounter('cors.disagreements', {
    description: 'Report-only decisions whose answer sent differs from the policy',
  });
  return (event) => {
    const attributes = attributesOf(event);
    api.trace.getActiveSpan()?.setAttributes(attributes);
    decisions.add(1, attributes);
    if (event.disagreement !== undefined) disagreements.add(1, attributes);
  };
}

const OBSERVE_LABELS = ['kind', 'outcome', 'policy', 'code', 'origin_class', 'mode', 'disagreement'];

function observeSubscriber(tracer: ObserveTracer): Subscriber {
  const decisions = tracer.counter('cors_decisions', {
    description: 'CORS decisions answered before the request reaches Nest: preflights, refusals, handshakes',
    labels: OBSERVE_LABELS,
  });
  return (event) =>
    decisions.increment({
      kind: event.kind,
      outcome: event.outcome,
      policy: event.policy,
      code: event.code ?? '-',
      origin_class: event.originClass,
      mode: event.mode,
      disagreement: event.disagreement === undefined ? 'no' : 'yes',
    });
}

/** A module the application may not have installed; undefined when it has not. */
async function optional<T>(load: () => Promise<T>): Promise<T | undefined> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error)) return undefined;
    throw error;
  }
}

@Injectable()
export class CorsTelemetry implements OnModuleInit, OnModuleDestroy {
  private readonly subscribers: Array<(message: unknown) => void> = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.options.telemetry === false) return;
    const openTelemetry = await optional(() => import('@opentelemetry/api'));
    if (openTelemetry !== undefined && sdkRegistered(openTelemetry))
      this.listen(openTelemetrySubscriber(openTelemetry));
    const tracer = await this.observeTracer();
    if (tracer !== undefined) this.listen(observeSubscriber(tracer));
  }

  onModuleDestroy(): void {
    for (const subscriber of this.subscribers.splice(0)) unsubscribe(DECISION_CHANNEL, subscriber);
  }

  /** `@nestjs/observe`'s TracerService, where the application imports its module. */
  private async observeTracer(): Promise<ObserveTracer | undefined> {
    const observe = await optional(() => import('@nestjs/observe'));
    if (observe === undefined) return undefined;
    try {
      return this.moduleRef.get<unknown, ObserveTracer>(observe.TracerService, { strict: false });
    } catch {
      // Installed, but the application does not run ObserveModule.
      return undefined;
    }
  }

  private listen(subscriber: Subscriber): void {
    const onMessage = (message: unknown): void => subscriber(message as CorsDecisionEvent);
    this.subscribers.push(onMessage);
    subscribe(DECISION_CHANNEL, onMessage);
  }
}
