/**
 * Recorded traffic replayed through an application, with the decision events
 * each request caused: the proof of the migration recipe (issue 34), in the
 * package's suite on a fixture app and in the service's on the demo app.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { INestApplication } from '@nestjs/common';
import { type CorsDecisionEvent, DECISION_CHANNEL } from 'nestjs-route-cors';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { initialised } from './fixture-app.js';

/** A request as recorded: its method, path, origin, what a preflight asks for, and a JSON body. */
export interface RecordedRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS';
  readonly path: string;
  readonly origin?: string;
  readonly asks?: { readonly method: string; readonly headers?: string };
  readonly body?: object;
}

/** One replayed request: itself (as JSON), the decision events it caused and the status it got. */
export interface ReplayedRequest {
  readonly request: string;
  readonly events: readonly CorsDecisionEvent[];
  readonly status: number;
}

function replay(server: App, { method, path, origin, asks, body }: RecordedRequest): request.Test {
  const lower = method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'options';
  let test = request(server)[lower](path);
  if (origin !== undefined) test = test.set('Origin', origin);
  if (asks !== undefined) test = test.set('Access-Control-Request-Method', asks.method);
  if (asks?.headers !== undefined) test = test.set('Access-Control-Request-Headers', asks.headers);
  return body === undefined ? test : test.send(body);
}

/**
 * Initialises the app, replays the traffic through it one request after the
 * other, recording each one's events, and closes it.
 */
export async function replayRecorded(
  app: INestApplication,
  traffic: readonly RecordedRequest[],
): Promise<ReplayedRequest[]> {
  const seen: CorsDecisionEvent[] = [];
  const record = (message: unknown): void => void seen.push(message as CorsDecisionEvent);
  subscribe(DECISION_CHANNEL, record);
  try {
    await initialised(app);
    const replayed: ReplayedRequest[] = [];
    for (const recorded of traffic) {
      seen.length = 0;
      const { status } = await replay(app.getHttpServer() as App, recorded);
      replayed.push({ request: JSON.stringify(recorded), events: [...seen], status });
    }
    return replayed;
  } finally {
    unsubscribe(DECISION_CHANNEL, record);
    await app.close();
  }
}

/** The refusals, by request: its kind, policy and code. */
export function refusalsOf(replayed: readonly ReplayedRequest[]): string[] {
  return replayed.flatMap(({ request: recorded, events }) =>
    events
      .filter((event) => event.outcome === 'refused')
      .map((event) => `${recorded} ${event.kind} ${event.policy} ${event.code ?? ''}`),
  );
}

/** The requests report-only found a disagreement on. */
export function disagreementsOf(replayed: readonly ReplayedRequest[]): string[] {
  return replayed.filter(({ events }) => events.some((event) => event.disagreement)).map(({ request: r }) => r);
}

/** The requests a decision refused. */
export function refusedRequestsOf(replayed: readonly ReplayedRequest[]): string[] {
  return replayed
    .filter(({ events }) => events.some((event) => event.outcome === 'refused'))
    .map(({ request: r }) => r);
}
