/**
 * The requests `nestjs-route-cors verify` sends, derived from the route
 * report (`cors:routes --json`): for each route with a policy, a preflight
 * and (for methods that change nothing) an actual request from an allowed
 * origin, the same from the origins scanners try (prefix and suffix
 * look-alikes, `null`, `http://`, the unescaped dot), and one origin's
 * request right after another's, which a cache that ignores `Origin` answers
 * with the first one's copy.
 */
import { match } from 'path-to-regexp';
import { compilePolicy } from '../core/compile-policy.js';
import { isListedOrigin } from '../core/origin-matcher.js';
import type { CompiledCorsPolicy } from '../core/policy.js';
import type { CorsRouteReportJson, RouteReportJsonRow } from '../core/route-report-json.js';
import { TOLERABLE_RISKS } from '../core/unsafe-origins.js';

/** A route as verify probes it. */
export interface ProbedRoute {
  /** `GET /greet`, as findings name it. */
  readonly name: string;
  readonly method: string;
  /** The request target: a sample the user gave, or the route's path with its parameters filled in. */
  readonly target: string;
  readonly policy: CompiledCorsPolicy;
  /** Origins the policy allows: two, so that a cache sharing answers between them shows. */
  readonly allowed: readonly [string, string];
  /** Look-alikes the policy refuses (none for `'*'` or a policy with an origin predicate, which may allow anything). */
  readonly refused: readonly string[];
  /** Whether an actual request may be sent: only methods that must not change state. */
  readonly sendsActual: boolean;
}

/** RFC 9110 §9.2.1: requests verify may send to a deployed API without side effects. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const FILLER = 'verify';

/** The route's path with every parameter filled and optional parts left out: `/items/:id{/*rest}` → `/items/verify`. */
function filledPath(path: string): string {
  return path.replace(/\{[^}]*\}/g, '').replace(/[:*]\w+/g, FILLER) || '/';
}

function targetOf(row: RouteReportJsonRow, samples: readonly string[]): string {
  const matches = match(row.path);
  return (
    samples.find((sample) => matches(new URL(sample, 'http://verify.invalid').pathname) !== false) ??
    filledPath(row.path)
  );
}

/** The policy as the report describes it, compiled again so that verify judges origins exactly as the app does. */
function policyOf(row: RouteReportJsonRow): CompiledCorsPolicy | undefined {
  const described = row.policy;
  if (described === null) return undefined;
  const { name, origins, methods, allowedHeaders, exposedHeaders, credentials, maxAge, strict } = described;
  // What the report lists compiled in the app; tolerated entries stay allowed here too.
  return compilePolicy(name, {
    origins,
    methods,
    allowedHeaders,
    exposedHeaders,
    credentials,
    maxAge,
    strict,
    tolerate: TOLERABLE_RISKS,
  });
}

/** Two origins the policy allows: listed ones first, then pattern fillings. */
function allowedOrigins(policy: CompiledCorsPolicy): [string, string] | undefined {
  if (policy.anyOrigin) return ['https://verify-a.example', 'https://verify-b.example'];
  const exact = [...policy.exactOrigins].filter((origin) => origin !== 'null');
  const filled = policy.patterns.flatMap((pattern) => [
    `${pattern.schemePrefix}${FILLER}-a${pattern.hostSuffix}`,
    `${pattern.schemePrefix}${FILLER}-b${pattern.hostSuffix}`,
  ]);
  const [first, second] = [...exact, ...filled];
  if (first === undefined) return undefined;
  return [first, second ?? first];
}

/** The origins scanners try against an allowlist that holds `origin`. */
function lookAlikes(origin: string): string[] {
  const url = new URL(origin);
  const port = url.port === '' ? '' : `:${url.port}`;
  const host = url.hostname;
  return [
    `${url.protocol}//evil${host}${port}`,
    `${url.protocol}//${host}.evil.example${port}`,
    'null',
    ...(url.protocol === 'https:' ? [`http://${host}${port}`] : []),
    ...(host.includes('.') ? [`${url.protocol}//${host.replace('.', 'x')}${port}`] : []),
    'https://evil.example',
  ];
}

function refusedOrigins(policy: CompiledCorsPolicy, allowed: string, hasOriginPredicate: boolean): string[] {
  if (policy.anyOrigin || hasOriginPredicate) return [];
  return lookAlikes(allowed).filter((origin) => !isListedOrigin(policy, origin));
}

/**
 * Every route of the report verify can probe. Gateways, version-picked
 * preflight rows and host-bound routes are left out (`skipped`), with why.
 */
export function probedRoutes(
  report: CorsRouteReportJson,
  samples: readonly string[],
): { routes: ProbedRoute[]; skipped: string[] } {
  const routes: ProbedRoute[] = [];
  const skipped: string[] = [];
  for (const row of [...report.routes, ...report.paths]) {
    const policy = policyOf(row);
    const name = `${row.method} ${row.path}`;
    if (policy === undefined || row.method === 'OPTIONS') continue;
    if (row.host !== undefined) {
      skipped.push(`${name}: bound to host ${row.host}`);
      continue;
    }
    const allowed = allowedOrigins(policy);
    if (allowed === undefined) {
      skipped.push(`${name}: policy '${policy.name}' lists no origin to probe with`);
      continue;
    }
    const method = row.method === 'ANY' || row.method === 'ALL' ? (policy.declared.methods[0] ?? 'GET') : row.method;
    routes.push({
      name,
      method,
      target: targetOf(row, samples),
      policy,
      allowed,
      refused: refusedOrigins(policy, allowed[0], row.policy?.hasOriginPredicate === true),
      sendsActual: SAFE_METHODS.has(method),
    });
  }
  for (const row of report.gateways)
    skipped.push(`${row.method} ${row.path}: a gateway (probe its handshake with expectCors)`);
  return { routes, skipped };
}
