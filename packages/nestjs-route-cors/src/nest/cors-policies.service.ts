import { Inject, Injectable } from '@nestjs/common';
import { CorsConfigurationError } from '../core/errors.js';
import type { CorsPolicyOptions, PredicateCacheStats } from '../core/policy.js';
import type { CorsPolicyVersion } from '../core/policy-version.js';
import type { CorsRouteReport, RouteReportRow } from '../core/route-report.js';
import { auditCors, type AuditFinding } from '../core/audit.js';
import { CORS_GATEWAY_REPORTS, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import { type CorsExplainInput, type CorsExplanation, explainCorsRequest } from './cors-explainer.js';
import { CorsPolicySet } from './cors-policy-set.js';
import { CorsPolicySyncService } from './cors-policy-sync.service.js';
import { CorsRouteTable } from './cors-route-table.js';

/** What the gateways' side reports and explains; CorsModule provides it (nothing here knows WebSockets). */
export interface CorsGatewayReports {
  /** One row per protected gateway server: method `WS`, its handshake path, the gateways behind it. */
  reportRows(): RouteReportRow[];
  /** What a page gets when it connects at `input.path`; undefined when no protected gateway answers there. */
  explain(input: CorsExplainInput): Promise<CorsExplanation> | undefined;
}

/** What `CorsPolicies.audit()` cannot find out by itself. */
export interface CorsAuditOptions {
  /** @default process.env.NODE_ENV === 'production' */
  readonly production?: boolean;
  /** The application refuses cross-site state-changing requests itself (`app.enableCsrfProtection()`). @default false */
  readonly csrfProtection?: boolean;
}

/**
 * The application's CORS policies at run time: inject it to replace a named
 * policy (a tenant registers a front-end domain), read a predicate cache's
 * figures, list what every route and gateway enforces, or ask why a request
 * would be allowed or refused.
 */
@Injectable()
export class CorsPolicies {
  constructor(
    private readonly routes: CorsRouteTable,
    private readonly policySet: CorsPolicySet,
    private readonly sync: CorsPolicySyncService,
    @Inject(CORS_GATEWAY_REPORTS) private readonly gateways: CorsGatewayReports,
    @Inject(CORS_MODULE_OPTIONS) private readonly options: CorsModuleOptions,
  ) {}

  /**
   * Replaces the named policy, validated exactly as at start-up; throws a
   * CorsConfigurationError naming the problem and keeps the current one if
   * the new options are invalid. Requests already being decided finish under
   * the old policy; every later one gets the new one, with an empty cache.
   * This instance only: with `sync`, it throws (use `replaceEverywhere()`).
   */
  replace(name: string, options: CorsPolicyOptions): void {
    if (this.sync.enabled) {
      throw new CorsConfigurationError([
        `replace('${name}') would change this instance only, while CorsModule's sync shares the policies: use await replaceEverywhere('${name}', options)`,
      ]);
    }
    this.policySet.replace(name, options);
  }

  /**
   * Replaces the named policy on every instance (CorsModule's `sync`):
   * validated as `replace()` does, written to Redis as a new version and
   * applied here before it resolves with that version; every other instance
   * applies it when Redis announces it. Rejects, changing no instance, with
   * a CorsConfigurationError for invalid options or a policy with an
   * `originPredicate` (a function cannot travel), and with a
   * CorsPolicySyncError when Redis is unreachable.
   */
  replaceEverywhere(name: string, options: CorsPolicyOptions): Promise<CorsPolicyVersion> {
    return this.sync.publish(name, options);
  }

  /** The version of the policies this instance decides requests under, and where it came from. */
  get policyVersion(): CorsPolicyVersion {
    return this.policySet.snapshot.version;
  }

  /** Hits, misses and size of the named policy's `originPredicateCache`; undefined without one. */
  predicateCacheStats(name: string): PredicateCacheStats | undefined {
    return this.policySet.snapshot.named.get(name)?.compiled.originPredicate?.stats();
  }

  /** What the start-up log prints and `formatRouteReport()` formats, as it is now. */
  routeReport(): CorsRouteReport {
    return {
      routes: this.routes.reportRows(),
      paths: this.routes.ruleRows(),
      gateways: this.gateways.reportRows(),
      policyVersion: this.policyVersion,
    };
  }

  /**
   * Reviews every policy, route, path rule and gateway as they are now:
   * tolerated unsafe entries, credentialed patterns, `'*'` on state-changing
   * routes, credentialed routes open to cross-site form posts, long `maxAge`,
   * refusal reasons exposed in production, unused policies. Most severe first;
   * `formatAudit()` prints them. `production` defaults to
   * `NODE_ENV === 'production'`; `csrfProtection` says that the application
   * refuses cross-site state-changing requests itself
   * (`app.enableCsrfProtection()`), which the module cannot see.
   */
  audit(context: CorsAuditOptions = {}): AuditFinding[] {
    const named = new Map([...this.policySet.snapshot.named].map(([name, { compiled }]) => [name, compiled]));
    return auditCors({
      report: this.routeReport(),
      namedPolicies: named,
      exposeRejectionReason: this.options.exposeRejectionReason === true,
      // The one place the package reads the environment: the finding is defined by NODE_ENV, and the caller may say otherwise.
      production: context.production ?? process.env.NODE_ENV === 'production',
      csrfProtection: context.csrfProtection ?? false,
    });
  }

  /**
   * What the application answers a browser's preflight and request from
   * `input.origin` to `input.path` (a route, or a gateway's handshake path),
   * whether the page can read the answer, and why, from the same decision
   * the running application makes. Throws a CorsExplainInputError, whose
   * message says what is wrong, for input that describes no such request.
   */
  async explain(input: CorsExplainInput): Promise<CorsExplanation> {
    // Both explainers take the policies before their first await: the version read now is the one they decide under.
    const policyVersion = this.policyVersion;
    const explanation = await (this.gateways.explain(input) ?? explainCorsRequest(this.routes, input));
    const mode = explanation.mode ?? this.options.mode ?? 'enforce';
    // Report-only keeps no decision for `allowedByCors`: nothing is exempt, whatever the policy would allow.
    const csrfExempt = mode === 'enforce' && explanation.csrfExempt;
    return { ...explanation, mode, csrfExempt, policyVersion };
  }
}
