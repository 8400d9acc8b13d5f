/**
 * The table of routes and their effective policies: logged at start-up and
 * printed by `npm run cors:routes`, so both always agree.
 */
import type { CompiledCorsPolicy, CorsMode } from './policy.js';
import { type CorsPolicyVersion, describeVersion } from './policy-version.js';
import { PUBLIC_SUFFIX_LIST } from './unsafe-origins.js';

export interface RouteReportRow {
  readonly method: string;
  readonly path: string;
  /** `@Controller({ host })`, when the route is bound to hosts. */
  readonly host?: string | undefined;
  /** The version a header, media-type or custom filter selects, or what a preflight row stands for. */
  readonly version?: string | undefined;
  /** Who serves it, e.g. `GreetController.greet`. */
  readonly handler?: string;
  /** The policy the route enforces now (its name and what it allows); undefined: no CORS. */
  readonly policy: Pick<CompiledCorsPolicy, 'name' | 'declared'> | undefined;
}

/** Every route and gateway with the policy it enforces now. */
export interface CorsRouteReport {
  /** In the order the router tries them, then what version-picked preflights get. */
  readonly routes: readonly RouteReportRow[];
  /** The path rules (`CorsModule`'s `paths`), for what no controller declares. */
  readonly paths: readonly RouteReportRow[];
  readonly gateways: readonly RouteReportRow[];
  /** The version of the policies the rows show, so that instances can be compared (`CorsPolicies.routeReport()` sets it). */
  readonly policyVersion?: CorsPolicyVersion;
}

/** A policy as reported: with its mode, the module's where it has none of its own. */
export function reportedPolicy(
  policy: CompiledCorsPolicy | undefined,
  moduleMode: CorsMode | undefined,
): RouteReportRow['policy'] {
  if (policy === undefined || policy.declared.mode !== undefined) return policy;
  return { name: policy.name, declared: { ...policy.declared, mode: moduleMode ?? 'enforce' } };
}

function list(values: readonly string[]): string {
  return values.length === 0 ? '-' : values.join(',');
}

type ReportedPolicy = NonNullable<RouteReportRow['policy']>;

/** What a page's request is checked against; a handshake (a `GET`, or Socket.IO's polling) only against some of it. */
function settings({ declared }: ReportedPolicy, handshake: boolean): string {
  const headers = `headers ${list(declared.allowedHeaders)}`;
  const credentials = `credentials ${declared.credentials ? 'yes' : 'no'}`;
  if (handshake) return `${headers}; ${credentials}`;
  return [
    `methods ${list(declared.methods)}`,
    headers,
    `exposed ${list(declared.exposedHeaders)}`,
    credentials,
    `max-age ${declared.maxAge}`,
    `strict ${declared.strict ? 'yes' : 'no'}`,
  ].join('; ');
}

/** Each policy the rows use, once, in two lines: its mode and origins, then its other settings. */
function policyLines(rows: readonly RouteReportRow[], handshake: boolean): string[] {
  const policies = new Map<string, ReportedPolicy>();
  for (const { policy } of rows)
    if (policy !== undefined && !policies.has(policy.name)) policies.set(policy.name, policy);
  return [...policies.values()].flatMap((policy) => {
    const origins = policy.declared.origins === '*' ? '*' : list(policy.declared.origins);
    return [
      `${policy.name} (${policy.declared.mode ?? 'enforce'}): origins ${origins}${policy.declared.hasOriginPredicate ? ' +predicate' : ''}`,
      `  ${settings(policy, handshake)}`,
    ];
  });
}

/**
 * One row per route with its policy's name (HOST and VERSION columns only when some route has a host or a version),
 * then what each policy allows: a table as narrow as its paths and names, whatever the policies list.
 */
function formatTable(rows: readonly RouteReportRow[], handshake: boolean): string {
  const withHost = rows.some((r) => r.host !== undefined);
  const withVersion = rows.some((r) => r.version !== undefined);
  const headings = ['METHOD', 'PATH', ...(withHost ? ['HOST'] : []), ...(withVersion ? ['VERSION'] : []), 'POLICY'];
  const cells = (row: RouteReportRow): string[] => [
    row.method,
    row.path,
    ...(withHost ? [row.host ?? '*'] : []),
    ...(withVersion ? [row.version ?? '-'] : []),
    row.policy?.name ?? '(none)',
  ];
  const table = [headings, ...rows.map(cells)];
  const widths = headings.map((_, column) => Math.max(...table.map((r) => (r[column] ?? '').length)));
  const aligned = table.map((r) =>
    r
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const policies = policyLines(rows, handshake);
  return [...aligned, ...(policies.length > 0 ? ['', ...policies] : [])].join('\n');
}

/** The routes' table (or the path rules'): each route, then what each policy allows. */
export function formatRouteTable(rows: readonly RouteReportRow[]): string {
  return formatTable(rows, false);
}

/** The gateways' table: a handshake is checked against a policy's origins, headers and credentials only. */
export function formatGatewayTable(rows: readonly RouteReportRow[]): string {
  return formatTable(rows, true);
}

/** One line per unsafe entry a policy tolerates, each policy once: `tolerate` keeps them visible. */
function toleratedLines(rows: readonly RouteReportRow[]): string[] {
  const policies = new Map(
    rows.flatMap((row) => (row.policy === undefined ? [] : [[row.policy.name, row.policy.declared] as const])),
  );
  return [...policies].flatMap(([name, declared]) =>
    declared.tolerated.map(({ risk, entry, reason }) => `  ${name}: ${risk} "${entry}": ${reason}`),
  );
}

/**
 * The report as `cors:routes` prints it: the routes, the path rules and the
 * gateways under their own headings, the unsafe entries policies tolerate,
 * the list the public suffixes come from and the policies' version
 * (`routeReportJson()` gives it as JSON).
 */
export function formatRouteReport(report: CorsRouteReport): string {
  const sections = [`Routes:\n${formatRouteTable(report.routes)}`];
  if (report.paths.length > 0) {
    sections.push(`Path rules:\n${formatRouteTable(report.paths)}`);
  }
  if (report.gateways.length > 0) {
    sections.push(`WebSocket gateways:\n${formatGatewayTable(report.gateways)}`);
  }
  const tolerated = toleratedLines([...report.routes, ...report.paths, ...report.gateways]);
  if (tolerated.length > 0) {
    sections.push(`Tolerated (the policies' tolerate option):\n${tolerated.join('\n')}`);
  }
  const suffixes = `Public suffixes: ${PUBLIC_SUFFIX_LIST}`;
  sections.push(
    report.policyVersion === undefined ? suffixes : `${suffixes}\nPolicies: ${describeVersion(report.policyVersion)}`,
  );
  return sections.join('\n\n');
}
