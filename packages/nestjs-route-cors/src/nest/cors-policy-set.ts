/**
 * The application's CORS policies: the named ones, and the effective policy
 * of every route handler and path rule under them. Read from the `@Cors()`
 * metadata and the options once, when the module is created, so that invalid
 * policies, unknown names and misplaced decorators stop the application
 * before it listens, every problem in one error. `replace()` swaps one named
 * policy, validated exactly as at start-up, and the whole set with it; the
 * route table and the gateways follow. A synced snapshot (`sync`) is the
 * configuration plus the policies it replaces, swapped in the same way.
 */
import { Inject, Injectable, Logger, type Type } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { compileMode, MAX_MAX_AGE, PREFLIGHT_CACHE_CAPS } from '../core/compile-policy.js';
import { ConfigurationProblems, CorsConfigurationError } from '../core/errors.js';
import type { CompiledCorsPolicy, CorsPolicyOptions } from '../core/policy.js';
import { configurationFingerprint, type CorsPolicyVersion, stableJson } from '../core/policy-version.js';
import { compileNamedPolicies, type NamedPolicy, resolveRoutePolicy } from '../core/resolve-policy.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import { type HandlerSite, readHandlerSites } from './handler-declarations.js';
import { type OrderedRule, orderRules, ruleSite } from './path-rules.js';

/** The policies as they are at one moment: replaced whole, never changed in place. */
export interface PolicySnapshot {
  readonly named: ReadonlyMap<string, NamedPolicy>;
  /** The effective policy of each route handler, by controller and method name; undefined: no CORS there. */
  readonly handlers: ReadonlyMap<Type, ReadonlyMap<string, CompiledCorsPolicy | undefined>>;
  /** The policy of each path rule, in the order the rules are tried. */
  readonly rules: ReadonlyArray<CompiledCorsPolicy | undefined>;
  /** Which version these policies are, and where they came from. */
  readonly version: CorsPolicyVersion;
  /** The options of the policies replaced since start-up, by name: what a synced snapshot carries. */
  readonly replaced: Readonly<Record<string, CorsPolicyOptions>>;
}

/** The module's own settings beside the policies. */
function moduleSettingProblems({ mode, rejectionLog }: CorsModuleOptions): string[] {
  const problems: string[] = [];
  compileMode(mode, problems, 'CorsModule mode');
  const interval = rejectionLog?.interval;
  if (interval !== undefined && !(Number.isInteger(interval) && interval >= 0)) {
    problems.push(`rejectionLog.interval ${JSON.stringify(interval)} must be a whole number of milliseconds`);
  }
  return problems;
}

@Injectable()
export class CorsPolicySet {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  /** Every route handler's `@Cors()` declarations. */
  readonly sites: readonly HandlerSite[];
  /** The path rules in the order they are tried. */
  readonly rules: readonly OrderedRule[];
  /** The configuration's named policies, which every synced snapshot starts from. */
  readonly configured: ReadonlyMap<string, NamedPolicy>;
  /** The fingerprint of the configuration's named policies. */
  readonly configuration: string;
  private current: PolicySnapshot;
  private readonly followers: Array<(snapshot: PolicySnapshot) => void> = [];

  constructor(
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    reflector: Reflector,
    @Inject(CORS_MODULE_OPTIONS) options: CorsModuleOptions,
  ) {
    const problems = new ConfigurationProblems();
    this.sites = readHandlerSites(discovery, reflector, scanner, problems);
    this.rules = orderRules(options.paths ?? [], problems);
    problems.add(...moduleSettingProblems(options));
    problems.throwIfAny();
    this.configured = compileNamedPolicies(options.policies ?? {});
    this.configuration = configurationFingerprint(options.policies ?? {});
    const version = { number: 0, source: 'configuration', configuration: this.configuration } as const;
    this.current = this.snapshotOf(this.configured, version, {});
    this.warnAboutBrowserCaps();
  }

  /** The policies as they are now. */
  get snapshot(): PolicySnapshot {
    return this.current;
  }

  /** Calls `follower` with every snapshot that replaces the current one, before anything reads it. */
  follow(follower: (snapshot: PolicySnapshot) => void): void {
    this.followers.push(follower);
  }

  /**
   * Replaces a named policy at run time (a tenant registers a domain). It is
   * validated exactly as at start-up, with every route that uses it
   * (merges and version intersections included); an invalid update throws a
   * CorsConfigurationError and the current policies stay. The new policy
   * starts with an empty predicate cache.
   */
  replace(name: string, options: CorsPolicyOptions): void {
    const { named, version, replaced } = this.current;
    if (!named.has(name)) {
      throw new CorsConfigurationError([
        `no policy named '${name}' to replace (known: ${[...named.keys()].join(', ') || 'none'})`,
      ]);
    }
    const next = this.snapshotOf(
      compileNamedPolicies({ [name]: options }, named),
      { number: version.number + 1, source: 'local', configuration: this.configuration },
      { ...replaced, [name]: options },
    );
    this.install(next);
    this.logger.log(`policy '${name}' replaced`);
  }

  /**
   * The configuration with the policies `replaced` names replaced, as synced
   * snapshot `version`, validated exactly as at start-up (throws a
   * CorsConfigurationError with every problem). A policy whose options are
   * those it has now keeps its compiled form, predicate cache included.
   */
  synced(replaced: Readonly<Record<string, CorsPolicyOptions>>, version: number): PolicySnapshot {
    const problems = new ConfigurationProblems();
    for (const name of Object.keys(replaced))
      if (!this.configured.has(name))
        problems.add(`the snapshot replaces policy '${name}', which this configuration does not have`);
    problems.throwIfAny();
    const unchanged = new Map(this.configured);
    const changed: Record<string, CorsPolicyOptions> = {};
    for (const [name, options] of Object.entries(replaced)) {
      const now = this.current.named.get(name);
      if (now !== undefined && stableJson(now.options) === stableJson(options)) unchanged.set(name, now);
      else changed[name] = options;
    }
    return this.snapshotOf(
      compileNamedPolicies(changed, unchanged),
      { number: version, source: 'redis', configuration: this.configuration },
      replaced,
    );
  }

  /** Makes `next` the current policies: the followers first, so that nothing reads them half-followed. */
  install(next: PolicySnapshot): void {
    for (const follower of this.followers) follower(next);
    this.current = next;
  }

  /** The effective policy of each route handler and path rule under `named`; throws with every problem at once. */
  private snapshotOf(
    named: ReadonlyMap<string, NamedPolicy>,
    version: CorsPolicyVersion,
    replaced: Readonly<Record<string, CorsPolicyOptions>>,
  ): PolicySnapshot {
    const handlers = new Map<Type, Map<string, CompiledCorsPolicy | undefined>>();
    const problems = new ConfigurationProblems();
    for (const site of this.sites) {
      const byHandler = handlers.get(site.type) ?? new Map<string, CompiledCorsPolicy | undefined>();
      handlers.set(site.type, byHandler);
      byHandler.set(
        site.handler,
        problems.attempt(() => resolveRoutePolicy(site, named)),
      );
    }
    const rules = this.rules.map(({ rule }) => problems.attempt(() => resolveRoutePolicy(ruleSite(rule), named)));
    problems.throwIfAny();
    return { named, handlers, rules, version, replaced };
  }

  /**
   * A `maxAge` browsers cut short is not an error (Firefox keeps up to a
   * day), but it is not what the author meant: said once, at start-up.
   */
  private warnAboutBrowserCaps(): void {
    const declared = new Map<string, CompiledCorsPolicy>();
    for (const { compiled } of this.current.named.values()) declared.set(compiled.name, compiled);
    for (const byHandler of this.current.handlers.values()) {
      // Merged policies repeat the maxAge of the policies they merge: those are named already.
      for (const policy of byHandler.values())
        if (policy !== undefined && !policy.name.includes('+')) declared.set(policy.name, policy);
    }
    const { chromium, webkit } = PREFLIGHT_CACHE_CAPS;
    for (const {
      name,
      declared: { maxAge },
    } of declared.values()) {
      if (maxAge > chromium) {
        this.logger.warn(
          `policy '${name}' has maxAge ${maxAge}, but browsers keep a preflight at most ${chromium} s (Chromium) and ${webkit} s (WebKit); only Firefox keeps it up to ${MAX_MAX_AGE} s`,
        );
      }
    }
  }
}
