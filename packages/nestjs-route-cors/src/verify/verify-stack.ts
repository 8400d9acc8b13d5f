/**
 * Sends verify's probes through whatever is in front of the application (a
 * proxy, a CDN, a gateway) and judges what comes back, as a browser would:
 * what the app answers is not always what the browser gets. Each finding is
 * one sentence naming the request, what came back and why it breaks CORS.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ProbedRoute } from './verify-probes.js';

export type VerifyCode =
  | 'duplicate-allow-origin'
  | 'wildcard-for-listed-origins'
  | 'allow-origin-to-refused-origin'
  | 'missing-vary-origin'
  | 'redirected-preflight'
  | 'preflight-differs-from-policy'
  | 'answer-for-another-origin';

export interface VerifyFinding {
  readonly code: VerifyCode;
  /** `GET /greet`: the route as the report names it. */
  readonly route: string;
  readonly message: string;
}

/** One answer as the probe saw it: every header line kept, so that a second Allow-Origin shows. */
interface Answer {
  readonly status: number;
  readonly allowOrigins: readonly string[];
  readonly header: (name: string) => string | undefined;
}

interface Probe {
  readonly route: ProbedRoute;
  readonly kind: 'preflight' | 'actual';
  readonly origin: string;
  readonly allowed: boolean;
}

const TIMEOUT_MS = 10_000;

function describeProbe({ route, kind, origin }: Probe): string {
  return `${kind === 'preflight' ? `OPTIONS (preflight for ${route.method})` : route.method} ${route.target} from ${origin}`;
}

/** Allow-Origin values over every header line: two lines, or one with a comma, are two values. */
function allowOriginValues(message: IncomingMessage): string[] {
  const values: string[] = [];
  for (let i = 0; i < message.rawHeaders.length; i += 2) {
    if (message.rawHeaders[i]?.toLowerCase() === 'access-control-allow-origin')
      values.push(...(message.rawHeaders[i + 1] ?? '').split(',').map((v) => v.trim()));
  }
  return values;
}

function send(base: URL, probe: Probe): Promise<Answer> {
  const url = new URL(probe.route.target, base);
  const headers: Record<string, string> = { origin: probe.origin };
  if (probe.kind === 'preflight') {
    headers['access-control-request-method'] = probe.route.method;
    const requested = probe.route.policy.declared.allowedHeaders.map((h) => h.toLowerCase());
    if (requested.length > 0) headers['access-control-request-headers'] = requested.join(', ');
  }
  const method = probe.kind === 'preflight' ? 'OPTIONS' : probe.route.method;
  const requestTo = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = requestTo(url, { method, headers, timeout: TIMEOUT_MS }, (message) => {
      message.resume();
      message.on('end', () =>
        resolve({
          status: message.statusCode ?? 0,
          allowOrigins: allowOriginValues(message),
          header: (name) => {
            const value = message.headers[name];
            return Array.isArray(value) ? value.join(', ') : value;
          },
        }),
      );
      message.on('error', reject);
    });
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${describeProbe(probe)} got no answer within ${TIMEOUT_MS} ms`)),
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

function listOf(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((v) => v.trim().toLowerCase())
      .filter((v) => v !== ''),
  );
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((value) => b.has(value));
}

/** What is wrong with one answer, as sentences by code. */
function judge(probe: Probe, answer: Answer): Array<[VerifyCode, string]> {
  const said = describeProbe(probe);
  const { policy } = probe.route;
  if (probe.kind === 'preflight' && answer.status >= 300 && answer.status < 400) {
    return [
      [
        'redirected-preflight',
        `${said} was answered ${answer.status} (Location: ${answer.header('location') ?? 'none'}): browsers fail a preflight that is redirected, so the request is never sent`,
      ],
    ];
  }
  const problems: Array<[VerifyCode, string]> = [];
  const values = answer.allowOrigins;
  if (values.length > 1) {
    problems.push([
      'duplicate-allow-origin',
      `${said} got ${values.length} Access-Control-Allow-Origin values (${values.join(', ')}): browsers refuse an answer with more than one, so something in front of the app adds its own`,
    ]);
  }
  if (!policy.anyOrigin && values.includes('*')) {
    problems.push([
      'wildcard-for-listed-origins',
      `${said} got Access-Control-Allow-Origin: *, but policy '${policy.name}' lists its origins: every site can read this route`,
    ]);
  }
  if (!probe.allowed && values.includes(probe.origin)) {
    problems.push([
      'allow-origin-to-refused-origin',
      `${said} got Access-Control-Allow-Origin: ${probe.origin}, an origin policy '${policy.name}' refuses: that site can read the answer`,
    ]);
  }
  const other = values.find((value) => value !== '*' && value !== probe.origin);
  if (other !== undefined) {
    problems.push([
      'answer-for-another-origin',
      `${said} got the answer for ${other} (Access-Control-Allow-Origin: ${other}): a cache in front of the app serves one origin's copy to another`,
    ]);
  }
  if (!policy.anyOrigin && !listOf(answer.header('vary')).has('origin')) {
    problems.push([
      'missing-vary-origin',
      `${said} got no Vary: Origin (Vary: ${answer.header('vary') ?? 'none'}), though policy '${policy.name}' answers each origin differently: a cache may serve one origin's answer to another`,
    ]);
  }
  if (probe.kind === 'preflight' && probe.allowed) problems.push(...preflightDifferences(said, probe, answer));
  return problems;
}

/** An allowed preflight must be answered with the policy's own methods and headers. */
function preflightDifferences(said: string, probe: Probe, answer: Answer): Array<[VerifyCode, string]> {
  const { declared, name } = probe.route.policy;
  if (answer.status < 200 || answer.status >= 300 || answer.allowOrigins.length === 0) {
    return [
      [
        'preflight-differs-from-policy',
        `${said} was answered ${answer.status} without Access-Control-Allow-Origin, though policy '${name}' allows the origin and the method`,
      ],
    ];
  }
  const methods = listOf(answer.header('access-control-allow-methods'));
  const headers = listOf(answer.header('access-control-allow-headers'));
  const policyMethods = new Set(declared.methods.map((m) => m.toLowerCase()));
  const policyHeaders = new Set(declared.allowedHeaders.map((h) => h.toLowerCase()));
  const problems: Array<[VerifyCode, string]> = [];
  if (!sameSet(methods, policyMethods)) {
    problems.push([
      'preflight-differs-from-policy',
      `${said} got Access-Control-Allow-Methods: ${answer.header('access-control-allow-methods') ?? 'none'}, but policy '${name}' allows ${declared.methods.join(', ')}`,
    ]);
  }
  if (!sameSet(headers, policyHeaders)) {
    problems.push([
      'preflight-differs-from-policy',
      `${said} got Access-Control-Allow-Headers: ${answer.header('access-control-allow-headers') ?? 'none'}, but policy '${name}' allows ${declared.allowedHeaders.join(', ') || 'none'}`,
    ]);
  }
  return problems;
}

/** The probes of one route, in the order they are sent: the allowed origins' requests back to back come first. */
function probesOf(route: ProbedRoute): Probe[] {
  const [first, second] = route.allowed;
  const probes: Probe[] = [];
  if (route.sendsActual) {
    // One origin's request right after another's: a cache that ignores Origin answers the second with the first's copy.
    probes.push(
      { route, kind: 'actual', origin: first, allowed: true },
      { route, kind: 'actual', origin: second, allowed: true },
    );
    probes.push(...route.refused.map((origin) => ({ route, kind: 'actual' as const, origin, allowed: false })));
  }
  probes.push({ route, kind: 'preflight', origin: first, allowed: true });
  probes.push(...route.refused.map((origin) => ({ route, kind: 'preflight' as const, origin, allowed: false })));
  return probes;
}

export interface VerifyResult {
  readonly findings: readonly VerifyFinding[];
  readonly requests: number;
}

/** Sends every probe of every route to `base`, one at a time, and returns each finding once per route and code. */
export async function verifyStack(base: URL, routes: readonly ProbedRoute[]): Promise<VerifyResult> {
  const findings: VerifyFinding[] = [];
  let requests = 0;
  for (const route of routes) {
    const seen = new Set<VerifyCode>();
    for (const probe of probesOf(route)) {
      const answer = await send(base, probe);
      requests += 1;
      for (const [code, message] of judge(probe, answer)) {
        if (seen.has(code)) continue;
        seen.add(code);
        findings.push({ code, route: route.name, message });
      }
    }
  }
  return { findings, requests };
}
