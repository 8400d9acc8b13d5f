/**
 * Whether `CorsPolicies.explain()` agrees with what the real server answers
 * for the same request: the request a browser would send for an explained
 * input, sent for real (supertest), with the browser's CORS checks, compared
 * in both directions with what the explanation predicts.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import {
  type CorsExplainInput,
  type CorsExplanation,
  CorsExplainInputError,
  CorsPolicies,
  formatExplanation,
} from 'nestjs-route-cors';

/** The CORS side of one answer: what the explanation predicts and what the server sends, in the same shape. */
interface CorsAnswer {
  /** The preflight's status; for an actual request only whether CORS refused it with 403 (otherwise the handler decides). */
  readonly status: number | 'refused with 403' | 'handler' | undefined;
  readonly allowOrigin: string | undefined;
  readonly allowMethods: string | undefined;
  readonly allowHeaders: string | undefined;
  readonly vary: string | undefined;
}

interface Observed {
  readonly preflight: CorsAnswer | undefined;
  readonly actual: CorsAnswer | undefined;
  readonly readable: boolean;
}

function corsAnswer(status: CorsAnswer['status'], headers: Record<string, string | undefined>): CorsAnswer {
  return {
    status,
    allowOrigin: headers['access-control-allow-origin'],
    allowMethods: headers['access-control-allow-methods'],
    allowHeaders: headers['access-control-allow-headers'],
    vary: headers.vary,
  };
}

/** Sends what a browser would send for `input` and applies the browser's CORS checks. */
async function observe(server: App, input: CorsExplainInput, needsPreflight: boolean): Promise<Observed> {
  const method = input.method.toUpperCase();
  let preflight: CorsAnswer | undefined;
  if (needsPreflight) {
    const names = input.headers.map((h) => h.name.toLowerCase()).join(',');
    let pre = request(server)
      .options(input.path)
      .set('Origin', input.origin)
      .set('Access-Control-Request-Method', method);
    if (names) pre = pre.set('Access-Control-Request-Headers', names);
    const answer = await pre;
    preflight = corsAnswer(answer.status, answer.headers);
    const credentialsOk = !input.credentials || answer.headers['access-control-allow-credentials'] === 'true';
    if (answer.status !== 204 || !preflight.allowOrigin || !credentialsOk) {
      return { preflight, actual: undefined, readable: false };
    }
  }
  let actual = request(server)
    [method.toLowerCase() as 'get' | 'post' | 'put' | 'delete'](input.path)
    .set('Origin', input.origin);
  for (const { name, value } of input.headers)
    actual = actual.set(name, value ?? (name.toLowerCase() === 'content-type' ? 'application/json' : 'x'));
  const answer = method === 'GET' ? await actual : await actual.send('{"name":"Alice"}');
  const allowOrigin: string | undefined = answer.headers['access-control-allow-origin'];
  const credentialsOk =
    !input.credentials || (answer.headers['access-control-allow-credentials'] === 'true' && allowOrigin !== '*');
  return {
    preflight,
    actual: corsAnswer(answer.status === 403 ? 'refused with 403' : 'handler', answer.headers),
    readable: (allowOrigin === '*' || allowOrigin === input.origin) && credentialsOk,
  };
}

/** What the explanation predicts for one answer. */
type ExplainedResponse = NonNullable<CorsExplanation['actual']['response']>;

function predicted(response: ExplainedResponse | undefined, kind: 'preflight' | 'actual'): CorsAnswer | undefined {
  if (response === undefined) return undefined;
  const status = kind === 'preflight' ? response.status : response.status === 403 ? 'refused with 403' : 'handler';
  return {
    status,
    allowOrigin: header(response.headers, 'Access-Control-Allow-Origin'),
    allowMethods: header(response.headers, 'Access-Control-Allow-Methods'),
    allowHeaders: header(response.headers, 'Access-Control-Allow-Headers'),
    vary: response.vary.length > 0 ? response.vary.join(', ') : undefined,
  };
}

function header(headers: ReadonlyArray<readonly [string, string]> | undefined, name: string): string | undefined {
  return headers?.find(([key]) => key === name)?.[1];
}

/** A JSON body's header, as a page sets it. */
export const json = [{ name: 'Content-Type' }];

/** An explained request. */
export const input = (
  origin: string,
  method: string,
  path: string,
  headers: CorsExplainInput['headers'] = [],
  credentials = false,
): CorsExplainInput => ({
  origin,
  method,
  path,
  headers,
  credentials,
});

/** Explains `explainInput` on `app`, sends it for real, and expects both to agree. */
export async function expectExplanationAgrees(app: INestApplication, explainInput: CorsExplainInput): Promise<void> {
  const server = app.getHttpServer() as App;
  let explanation: CorsExplanation;
  try {
    explanation = await app.get(CorsPolicies).explain(explainInput);
  } catch (error) {
    if (!(error instanceof CorsExplainInputError)) throw error;
    // Only a method no handler serves is bad input here; the server answers it 404.
    const answer = await request(server).patch(explainInput.path).set('Origin', explainInput.origin);
    expect(explainInput.method).toBe('patch');
    expect(answer.status).toBe(404);
    return;
  }
  const observed = await observe(server, explainInput, explanation.preflight.needed);
  expect(formatExplanation(explanation)).toContain(explanation.verdict);
  // Both directions: a 403 the explanation predicts must happen, and one it does not predict must not.
  expect({
    preflight: explanation.preflight.needed ? predicted(explanation.preflight.response, 'preflight') : undefined,
    actual: predicted(explanation.actual.response, 'actual'),
    readable: explanation.allowed,
  }).toEqual(observed);
}
