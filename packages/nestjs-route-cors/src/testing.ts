/**
 * One-line CORS assertions for e2e tests against a running Nest app:
 *
 *   await expectCors(app).preflight('/greet', { origin, method: 'POST', headers: ['content-type'] }).toBeAllowed();
 *   await expectCors(app).actual('/greet', { origin, method: 'POST', credentials: true }).toBeRefused();
 *
 * The request goes over real HTTP (supertest); the answer is judged the way a
 * browser judges it (Fetch standard §4.9, the CORS check, and §4.8 for a
 * preflight). A failed assertion throws an Error that says what the server
 * answered and, from the app's own route table, why: the same sentence as the
 * module's debug log and `CorsPolicies.explain()`. No test framework is imported, so
 * the helpers work under jest, vitest or node:test.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import {
  browserPreflightHeaders,
  type CorsExplainInput,
  type CorsExplanation,
  SIMPLE_METHODS,
} from './nest/cors-explainer.js';
import { CorsPolicies } from './nest/cors-policies.service.js';

export interface CorsProbe {
  /** The page's origin, e.g. `https://app.example.com`. */
  readonly origin: string;
  /** @default 'GET' */
  readonly method?: string;
  /** `fetch(..., { credentials: 'include' })`. @default false */
  readonly credentials?: boolean;
  /** The `Host` the request is sent to, for host-bound controllers. */
  readonly host?: string;
}

export interface PreflightProbe extends CorsProbe {
  /** Header names the page sets, sent as `Access-Control-Request-Headers`. */
  readonly headers?: readonly string[];
}

export interface ActualProbe extends CorsProbe {
  /** Headers the page sets, with their values. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A body to send (JSON for objects). */
  readonly body?: string | object;
}

/** What the server answered, as the assertion saw it. */
export interface CorsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as supertest's `res.body` reads it: parsed JSON, or `{}` when the answer is not JSON. */
  readonly body: unknown;
  /** The body as text, as supertest's `res.text`. */
  readonly text: string;
  /** Why the browser would not let the page read it; undefined when it would. */
  readonly blockedBecause: string | undefined;
}

function headerValue(headers: CorsAnswer['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function listed(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== ''),
  );
}

const NO_ALLOW_ORIGIN = 'no Access-Control-Allow-Origin';

/** Fetch §4.9: the CORS check a browser applies to any cross-origin answer. */
function corsCheckFailure(headers: CorsAnswer['headers'], probe: CorsProbe): string | undefined {
  const allowOrigin = headerValue(headers, 'access-control-allow-origin');
  if (allowOrigin === undefined) return NO_ALLOW_ORIGIN;
  if (allowOrigin === '*' ? probe.credentials === true : allowOrigin !== probe.origin) {
    return `Access-Control-Allow-Origin is ${JSON.stringify(allowOrigin)}`;
  }
  if (probe.credentials === true && headerValue(headers, 'access-control-allow-credentials') !== 'true') {
    return 'no Access-Control-Allow-Credentials: true for a request with credentials';
  }
  return undefined;
}

/** Fetch §4.8: what a preflight answer must grant besides the origin. */
function preflightFailure(answer: Pick<CorsAnswer, 'status' | 'headers'>, probe: PreflightProbe): string | undefined {
  if (answer.status < 200 || answer.status > 299) return `status ${answer.status}`;
  const origin = corsCheckFailure(answer.headers, probe);
  if (origin !== undefined) return origin;
  const method = probe.method ?? 'GET';
  const methods = listed(headerValue(answer.headers, 'access-control-allow-methods'));
  const anyMethod = methods.has('*') && probe.credentials !== true;
  if (!SIMPLE_METHODS.has(method) && !anyMethod && !methods.has(method.toLowerCase())) {
    return `Access-Control-Allow-Methods does not list ${method}`;
  }
  const allowed = listed(headerValue(answer.headers, 'access-control-allow-headers'));
  const missing = (probe.headers ?? []).find((name) => !allowed.has(name.trim().toLowerCase()));
  return missing === undefined ? undefined : `Access-Control-Allow-Headers does not list ${missing}`;
}

export class CorsExpectation {
  constructor(
    private readonly app: INestApplication,
    private readonly kind: 'preflight' | 'actual',
    private readonly path: string,
    private readonly probe: PreflightProbe | ActualProbe,
  ) {}

  /** Resolves with the answer if a browser would let the page go on; throws with the reason otherwise. */
  async toBeAllowed(): Promise<CorsAnswer> {
    const answer = await this.send();
    if (answer.blockedBecause !== undefined) {
      // "answered 403 without Access-Control-Allow-Origin": a reason that only repeats that is not said twice.
      const repeats =
        answer.blockedBecause === `status ${answer.status}` ||
        (answer.blockedBecause === NO_ALLOW_ORIGIN &&
          headerValue(answer.headers, 'access-control-allow-origin') === undefined);
      const because = repeats ? '' : `: ${answer.blockedBecause}`;
      throw new Error(
        `${this.describe()} to be allowed, but ${this.answered(answer)}${because}.\n${this.reason(await this.explanation())}`,
      );
    }
    return answer;
  }

  /** Resolves with the answer if a browser would block the page; throws otherwise. */
  async toBeRefused(): Promise<CorsAnswer> {
    const answer = await this.send();
    if (answer.blockedBecause === undefined) {
      const why = await this.explanation();
      // The module refused it, yet the answer grants the origin: something else wrote the header.
      const otherLayer =
        typeof why !== 'string' && !why.allowed
          ? '\nAnother CORS layer is adding Access-Control-Allow-Origin: the @Cors() policy refused this request (app.enableCors(), a CORS middleware or a proxy in front of the app?).'
          : '';
      throw new Error(
        `${this.describe()} to be refused, but ${this.answered(answer)} and the page could read it.${otherLayer}\n${this.reason(why)}`,
      );
    }
    return answer;
  }

  private async send(): Promise<CorsAnswer> {
    if (this.kind === 'preflight') {
      return this.sendPreflight(this.probe as PreflightProbe);
    }
    const probe = this.probe as ActualProbe;
    const headers = Object.entries(probe.headers ?? {}).map(([name, value]) => ({ name, value }));
    // A browser asks first when the method or a header is not safelisted, and stops if the answer says no.
    const preflightHeaders = browserPreflightHeaders(probe.method ?? 'GET', headers);
    if (preflightHeaders !== undefined) {
      const preflight = await this.sendPreflight({ ...probe, headers: preflightHeaders });
      if (preflight.blockedBecause !== undefined) {
        return {
          ...preflight,
          blockedBecause: `its preflight was refused (${preflight.blockedBecause}), so the browser never sent it`,
        };
      }
    }
    let test = this.request(probe.method ?? 'GET');
    for (const { name, value } of headers) test = test.set(name, value);
    if (probe.body !== undefined) test = test.send(probe.body);
    const res = await test;
    const answered = res.headers as CorsAnswer['headers'];
    return {
      status: res.status,
      headers: answered,
      body: res.body,
      text: res.text,
      blockedBecause: corsCheckFailure(answered, probe),
    };
  }

  private async sendPreflight(probe: PreflightProbe): Promise<CorsAnswer> {
    let test = this.request('OPTIONS').set('Access-Control-Request-Method', probe.method ?? 'GET');
    const names = probe.headers ?? [];
    if (names.length > 0) test = test.set('Access-Control-Request-Headers', names.join(','));
    const res = await test;
    return {
      status: res.status,
      headers: res.headers,
      body: res.body,
      text: res.text,
      blockedBecause: preflightFailure(res, probe),
    };
  }

  /** A request to the path from the probe's origin (and host). */
  private request(method: string): request.Test {
    const test = request(this.app.getHttpServer() as App)
      [method.toLowerCase() as 'get'](this.path)
      .set('Origin', this.probe.origin);
    return this.probe.host === undefined ? test : test.set('Host', this.probe.host);
  }

  private describe(): string {
    const from = `from ${JSON.stringify(this.probe.origin)}${this.probe.credentials === true ? ' with credentials' : ''}`;
    return `expected the ${this.kind === 'preflight' ? 'preflight of' : 'request'} ${this.probe.method ?? 'GET'} ${this.path} ${from}`;
  }

  private answered(answer: CorsAnswer): string {
    const allowOrigin = headerValue(answer.headers, 'access-control-allow-origin');
    return `the server answered ${answer.status} ${allowOrigin === undefined ? 'without Access-Control-Allow-Origin' : `with Access-Control-Allow-Origin ${JSON.stringify(allowOrigin)}`}`;
  }

  /** The module's own explanation of the same request, or why it has none. */
  private async explanation(): Promise<CorsExplanation | string> {
    const headers =
      this.kind === 'preflight'
        ? ((this.probe as PreflightProbe).headers ?? []).map((name) => ({ name }))
        : Object.entries((this.probe as ActualProbe).headers ?? {}).map(([name, value]) => ({ name, value }));
    const input: CorsExplainInput = {
      origin: this.probe.origin,
      method: this.probe.method ?? 'GET',
      path: this.path,
      headers,
      credentials: this.probe.credentials === true,
      host: this.probe.host,
    };
    try {
      return await this.app.get(CorsPolicies).explain(input);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  private reason(explanation: CorsExplanation | string): string {
    return `Why: ${typeof explanation === 'string' ? explanation : explanation.verdict}`;
  }
}

/** Entry point of the assertions: `expectCors(app).preflight(...)` or `.actual(...)`. */
export function expectCors(app: INestApplication): {
  preflight(path: string, probe: PreflightProbe): CorsExpectation;
  actual(path: string, probe: ActualProbe): CorsExpectation;
} {
  return {
    preflight: (path, probe) => new CorsExpectation(app, 'preflight', path, probe),
    actual: (path, probe) => new CorsExpectation(app, 'actual', path, probe),
  };
}
