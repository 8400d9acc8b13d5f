/**
 * A review of a whole policy set: which routes are open to what, and how
 * risky that is, from the same route report `cors:routes` prints. Scanners
 * probe one deployed endpoint and CodeQL reads `cors()` options; neither sees
 * `@Cors()`. Each finding says what is wrong, where, and what to write instead.
 */
import { PREFLIGHT_CACHE_CAPS } from './compile-policy.js';
import type { CompiledCorsPolicy, NormalisedPolicyOptions, ToleratedRisk } from './policy.js';
import type { CorsRouteReport, RouteReportRow } from './route-report.js';

export type AuditSeverity = 'high' | 'medium' | 'low' | 'info';

/** From the most severe. */
export const AUDIT_SEVERITIES: readonly AuditSeverity[] = ['high', 'medium', 'low', 'info'];

export type AuditCode =
  | 'tolerated-public-suffix-pattern'
  | 'tolerated-null-origin-with-credentials'
  | 'tolerated-insecure-origin-with-credentials'
  | 'pattern-with-credentials'
  | 'public-policy-on-state-changing-method'
  | 'credentials-without-csrf-protection'
  | 'max-age-above-browser-cap'
  | 'rejection-reason-exposed-in-production'
  | 'unused-policy'
  | 'unneeded-tolerance';

export interface AuditFinding {
  readonly code: AuditCode;
  readonly severity: AuditSeverity;
  /** The policy's name; `CorsModule` for a module option. */
  readonly policy: string;
  /** `METHOD path` of every route, path rule and gateway the finding concerns; empty for an unused policy. */
  readonly routes: readonly string[];
  /** The allowlist entry concerned, where there is one. */
  readonly entry?: string;
  readonly message: string;
  readonly fix: string;
}

/** What a rule of the audit is about, for reports that describe rules apart from findings (SARIF). */
export interface AuditRule {
  readonly title: string;
  readonly why: string;
}

export const AUDIT_RULES: Readonly<Record<AuditCode, AuditRule>> = {
  'tolerated-public-suffix-pattern': {
    title: 'A pattern covers a public suffix',
    why: 'Anyone can register a subdomain under a public suffix (a hosting platform, a country suffix) and read what the policy allows (CWE-942).',
  },
  'tolerated-null-origin-with-credentials': {
    title: "'null' is allowed with credentials",
    why: "Any sandboxed iframe, data: URL or file: page sends Origin: null, so any site can read the user's data.",
  },
  'tolerated-insecure-origin-with-credentials': {
    title: 'An http:// origin is allowed with credentials',
    why: "A network attacker can inject a page on an http:// origin and read the user's data.",
  },
  'pattern-with-credentials': {
    title: 'A pattern is allowed with credentials',
    why: "One cross-site scripting flaw on any matching subdomain reads the user's data.",
  },
  'public-policy-on-state-changing-method': {
    title: "'*' on a state-changing method",
    why: "Every site may send the request from the user's browser, from inside the user's network.",
  },
  'credentials-without-csrf-protection': {
    title: 'A credentialed route runs cross-site requests',
    why: 'Browsers send a form POST without a preflight: a non-strict policy lets the handler run for any origin, with the cookies.',
  },
  'max-age-above-browser-cap': {
    title: 'maxAge above what browsers keep',
    why: `Chromium keeps a preflight ${PREFLIGHT_CACHE_CAPS.chromium} s and WebKit ${PREFLIGHT_CACHE_CAPS.webkit} s; only Firefox keeps longer, which delays a policy change for its users.`,
  },
  'rejection-reason-exposed-in-production': {
    title: 'Refusal reasons exposed in production',
    why: 'X-CORS-Rejection-Reason names the allowlist to whoever asks.',
  },
  'unused-policy': {
    title: 'A policy no route uses',
    why: 'A policy nothing enforces is a policy nobody reviews.',
  },
  'unneeded-tolerance': {
    title: 'tolerate names a case the policy does not have',
    why: 'A tolerance left behind accepts the next unsafe entry silently.',
  },
};

export interface AuditContext {
  /** What every route, path rule and gateway enforces now (`CorsPolicies.routeReport()`). */
  readonly report: CorsRouteReport;
  /** The named policies, used or not. */
  readonly namedPolicies: ReadonlyMap<string, Pick<CompiledCorsPolicy, 'name' | 'declared'>>;
  /** `CorsModule`'s `exposeRejectionReason`. */
  readonly exposeRejectionReason: boolean;
  /** Whether the application runs in production (`NODE_ENV=production`). */
  readonly production: boolean;
  /**
   * Whether the application refuses cross-site state-changing requests itself
   * (`app.enableCsrfProtection()`, a token scheme). The module cannot see it.
   */
  readonly csrfProtection: boolean;
}

/** Fetch §2.2.1 and RFC 9110 §9.2.1: methods that must not change state (QUERY: draft-ietf-httpbis-safe-method-w-body). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'QUERY']);
/** The method a browser sends cross-site without a preflight (a form POST) that can change state. */
const SIMPLE_UNSAFE_METHOD = 'POST';
/** What a path rule (`ANY`), an `@All()` route and a gateway's row (`WS`) are listed under. */
const EVERY_METHOD = new Set(['ANY', 'ALL']);

const TOLERATED_CODES: Readonly<Record<ToleratedRisk, AuditCode>> = {
  'public-suffix-pattern': 'tolerated-public-suffix-pattern',
  'null-origin-with-credentials': 'tolerated-null-origin-with-credentials',
  'insecure-origin-with-credentials': 'tolerated-insecure-origin-with-credentials',
};

function routeName(row: RouteReportRow): string {
  return [row.method, row.path, row.host && `host ${row.host}`, row.version && `version ${row.version}`]
    .filter(Boolean)
    .join(' ');
}

/** The methods a row's requests may use under its policy: its own, or every method the policy allows for a rule or `@All()`. */
function methodsOf(row: RouteReportRow, declared: NormalisedPolicyOptions): readonly string[] {
  if (EVERY_METHOD.has(row.method)) return declared.methods;
  return row.method === 'WS' ? [] : [row.method];
}

interface PolicyUse {
  readonly declared: NormalisedPolicyOptions;
  readonly rows: RouteReportRow[];
}

/** Every policy once, by name, with the rows that enforce it; named policies no row uses have none. */
function policiesInUse(context: AuditContext): Map<string, PolicyUse> {
  const uses = new Map<string, PolicyUse>();
  for (const [name, policy] of context.namedPolicies) uses.set(name, { declared: policy.declared, rows: [] });
  const { routes, paths, gateways } = context.report;
  for (const row of [...routes, ...paths, ...gateways]) {
    if (row.policy === undefined) continue;
    const use = uses.get(row.policy.name) ?? { declared: row.policy.declared, rows: [] };
    use.rows.push(row);
    uses.set(row.policy.name, use);
  }
  return uses;
}

/** Whether a named policy takes part in a route's policy: itself, or a merge (`a+b`) or a version intersection (`a&b`) of it. */
function isUsed(name: string, uses: ReadonlyMap<string, PolicyUse>): boolean {
  return [...uses].some(([used, use]) => use.rows.length > 0 && (used === name || used.split(/[+&]/).includes(name)));
}

function toleratedFindings(policy: string, use: PolicyUse, routes: readonly string[]): AuditFinding[] {
  const { declared } = use;
  const findings: AuditFinding[] = declared.tolerated.map(({ risk, entry, reason }) => ({
    code: TOLERATED_CODES[risk],
    severity: declared.credentials ? 'high' : 'medium',
    policy,
    routes,
    entry,
    message: `policy '${policy}' tolerates origins entry "${entry}", which ${reason}`,
    fix:
      risk === 'public-suffix-pattern'
        ? 'list the subdomains you own instead of the pattern'
        : `remove "${entry}" or credentials, then '${risk}' from tolerate`,
  }));
  const unneeded = declared.tolerate.filter((risk) => !declared.tolerated.some((found) => found.risk === risk));
  for (const risk of unneeded) {
    findings.push({
      code: 'unneeded-tolerance',
      severity: 'info',
      policy,
      routes,
      message: `policy '${policy}' tolerates '${risk}', but none of its entries is one`,
      fix: `remove '${risk}' from tolerate`,
    });
  }
  return findings;
}

function patternFindings(policy: string, use: PolicyUse, routes: readonly string[]): AuditFinding[] {
  const { declared } = use;
  if (!declared.credentials || declared.origins === '*') return [];
  const tolerated = new Set(declared.tolerated.map((found) => found.entry));
  // A tolerated pattern is reported as such, with the higher severity.
  return declared.origins
    .filter((entry) => entry.includes('*') && !tolerated.has(entry))
    .map((entry) => ({
      code: 'pattern-with-credentials',
      severity: 'medium',
      policy,
      routes,
      entry,
      message: `policy '${policy}' allows credentials to every subdomain "${entry}" matches: one cross-site scripting flaw on any of them reads the user's data`,
      fix: 'list the subdomains that need credentials, or drop credentials for the pattern in a policy of its own',
    }));
}

function methodFindings(policy: string, use: PolicyUse, csrfProtection: boolean): AuditFinding[] {
  const { declared, rows } = use;
  const findings: AuditFinding[] = [];
  const changing = rows.filter((row) => methodsOf(row, declared).some((method) => !SAFE_METHODS.has(method)));
  if (declared.origins === '*' && changing.length > 0) {
    findings.push({
      code: 'public-policy-on-state-changing-method',
      severity: 'medium',
      policy,
      routes: changing.map(routeName),
      message: `policy '${policy}' allows every origin ('*') on routes that change state: any site can send these requests from the user's browser, inside the user's network`,
      fix: "list the origins that may call these routes, and keep '*' for reads",
    });
  }
  const formPosts = rows.filter((row) => methodsOf(row, declared).includes(SIMPLE_UNSAFE_METHOD));
  if (declared.credentials && !declared.strict && !csrfProtection && formPosts.length > 0) {
    findings.push({
      code: 'credentials-without-csrf-protection',
      severity: 'medium',
      policy,
      routes: formPosts.map(routeName),
      message: `policy '${policy}' allows credentials but is not strict, so a cross-site form POST from any origin runs these handlers with the user's cookies (CORS only withholds the answer)`,
      fix: 'set strict: true (refused origins get 403 before the handler), or enable CSRF protection: app.enableCsrfProtection({ exclude: allowedByCors }), then audit({ csrfProtection: true })',
    });
  }
  return findings;
}

function maxAgeFinding(policy: string, use: PolicyUse, routes: readonly string[]): AuditFinding[] {
  const { maxAge } = use.declared;
  if (maxAge <= PREFLIGHT_CACHE_CAPS.chromium) return [];
  return [
    {
      code: 'max-age-above-browser-cap',
      severity: 'info',
      policy,
      routes,
      message: `policy '${policy}' has maxAge ${maxAge}: Chromium keeps a preflight ${PREFLIGHT_CACHE_CAPS.chromium} s, WebKit ${PREFLIGHT_CACHE_CAPS.webkit} s, Firefox up to ${maxAge} s, so a narrowed policy reaches Firefox users that late`,
      fix: `set maxAge to ${PREFLIGHT_CACHE_CAPS.chromium} or less`,
    },
  ];
}

function moduleFindings(context: AuditContext): AuditFinding[] {
  if (!context.exposeRejectionReason || !context.production) return [];
  return [
    {
      code: 'rejection-reason-exposed-in-production',
      severity: 'low',
      policy: 'CorsModule',
      routes: [],
      message:
        'exposeRejectionReason is on in production: every refused request carries X-CORS-Rejection-Reason, which names the allowlist',
      fix: 'set exposeRejectionReason: !production',
    },
  ];
}

/** Every finding over every policy, route, path rule and gateway: most severe first, then by policy. */
export function auditCors(context: AuditContext): AuditFinding[] {
  const uses = policiesInUse(context);
  const findings = moduleFindings(context);
  for (const [policy, use] of uses) {
    const routes = use.rows.map(routeName);
    if (use.rows.length === 0 && !isUsed(policy, uses)) {
      findings.push({
        code: 'unused-policy',
        severity: 'info',
        policy,
        routes,
        message: `policy '${policy}' is registered, but no route, path rule or gateway uses it`,
        fix: `declare it with @Cors('${policy}'), or remove it`,
      });
    }
    findings.push(
      ...toleratedFindings(policy, use, routes),
      ...patternFindings(policy, use, routes),
      ...methodFindings(policy, use, context.csrfProtection),
      ...maxAgeFinding(policy, use, routes),
    );
  }
  const rank = (finding: AuditFinding): number => AUDIT_SEVERITIES.indexOf(finding.severity);
  return findings.sort((a, b) => rank(a) - rank(b) || a.policy.localeCompare(b.policy));
}

/** Whether a finding is at least as severe as `threshold`. */
export function reaches(finding: AuditFinding, threshold: AuditSeverity): boolean {
  return AUDIT_SEVERITIES.indexOf(finding.severity) <= AUDIT_SEVERITIES.indexOf(threshold);
}
