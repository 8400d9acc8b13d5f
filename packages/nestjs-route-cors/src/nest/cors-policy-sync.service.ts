/**
 * Run-time policy changes shared by every instance (CorsModule's `sync`).
 * A change is validated, written to the store as a versioned snapshot of the
 * replaced policies and announced; every instance applies a newer snapshot
 * made from its own configuration after validating it, swapped whole like
 * `replace()`'s. Announcements are lost while disconnected, so the snapshot
 * is read at start-up and after every reconnect. While the store is away the
 * instance keeps deciding under the last version it applied (as Kong's and
 * Envoy's data planes keep their last configuration).
 */
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { ConfigurationProblems, CorsConfigurationError } from '../core/errors.js';
import type { CorsPolicyOptions } from '../core/policy.js';
import type { CorsPolicyVersion } from '../core/policy-version.js';
import { CORS_LOGGER_CONTEXT, CORS_MODULE_OPTIONS } from './cors.constants.js';
import type { CorsModuleOptions } from './cors-module-options.interface.js';
import type { CorsPolicySync, StoredPolicySnapshot } from './cors-policy-sync.interface.js';
import { CorsPolicySet, type PolicySnapshot } from './cors-policy-set.js';

/** A change that did not reach the shared store: no instance applies it, this one included. */
export class CorsPolicySyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CorsPolicySyncError';
  }
}

/** Concurrent replacements each retry from the snapshot that came first; past this many, the caller retries. */
const MAX_WRITE_ATTEMPTS = 5;

type ReplacedPolicies = Readonly<Record<string, CorsPolicyOptions>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The replaced policies a stored snapshot carries; their settings are validated by compiling them. */
function parseReplaced(json: string): ReplacedPolicies {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new CorsConfigurationError(["the snapshot's policies are not JSON"]);
  }
  if (!isRecord(parsed) || !Object.values(parsed).every(isRecord)) {
    throw new CorsConfigurationError(["the snapshot's policies are not an object of policy options by name"]);
  }
  // Each entry is a record; compilePolicy names every setting that is not a valid CorsPolicyOptions one.
  return parsed as ReplacedPolicies;
}

@Injectable()
export class CorsPolicySyncService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CORS_LOGGER_CONTEXT);
  private readonly sync: CorsPolicySync | undefined;
  /** Ends start-up's wait for the store. */
  private firstConnection: (() => void) | undefined;
  /** Whether the connection-lost warning was given, so that it is given once, and "back" once after it. */
  private warnedLost = false;
  /** The highest foreign snapshot version reported, so that each is said once. */
  private ignoredVersion = 0;

  constructor(
    private readonly policySet: CorsPolicySet,
    @Inject(CORS_MODULE_OPTIONS) options: CorsModuleOptions,
  ) {
    this.sync = options.sync;
  }

  /** Whether `sync` is configured. */
  get enabled(): boolean {
    return this.sync !== undefined;
  }

  /**
   * Reads the shared snapshot before the application serves anything, waiting
   * at most `connectTimeout` for the store: without it the instance starts
   * from its configuration and converges once the store is reachable.
   */
  async onModuleInit(): Promise<void> {
    const sync = this.sync;
    if (sync === undefined) return;
    const connected = new Promise<void>((resolve) => (this.firstConnection = resolve));
    sync.start({
      connected: () => void this.reconnected(),
      // While start-up waits, a failed connection attempt is not news: the wait's end says it once.
      disconnected: () => {
        if (this.firstConnection === undefined) this.lost('lost the connection to Redis');
      },
      announced: (version) => void this.announced(version),
    });
    if (sync.isConnected()) this.firstConnection?.();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), sync.connectTimeout)));
    const late = await Promise.race([connected.then(() => false), timedOut]);
    clearTimeout(timer);
    this.firstConnection = undefined;
    if (late) this.lost(`Redis was not reachable within ${sync.connectTimeout} ms at start-up`);
    else await this.pull();
  }

  async onModuleDestroy(): Promise<void> {
    await this.sync?.stop();
  }

  /**
   * Validates the replacement, writes the snapshot it makes (on top of the
   * newest one the store has) and applies it here; the other instances apply
   * it when they hear of it. Rejects, changing nothing anywhere, when it is
   * invalid (CorsConfigurationError) or the store is unreachable
   * (CorsPolicySyncError).
   */
  async publish(name: string, options: CorsPolicyOptions): Promise<CorsPolicyVersion> {
    const sync = this.sync;
    if (sync === undefined) {
      throw new CorsConfigurationError([
        "replaceEverywhere() needs CorsModule's sync option (redisPolicySync(client) from nestjs-route-cors/redis); without it, use replace()",
      ]);
    }
    if (!this.policySet.configured.has(name)) {
      const known = [...this.policySet.configured.keys()].join(', ') || 'none';
      throw new CorsConfigurationError([`no policy named '${name}' to replace (known: ${known})`]);
    }
    const predicate = this.predicateProblems({ [name]: options });
    predicate.throwIfAny();
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt += 1) {
      if (!sync.isConnected()) {
        throw new CorsPolicySyncError(
          `policy '${name}' was not replaced: Redis is not reachable, so no instance would hear of it (this one keeps version ${this.policySet.snapshot.version.number})`,
        );
      }
      const stored = await this.stored(sync, name);
      const now = this.policySet.snapshot;
      const base =
        stored !== undefined &&
        stored.configuration === this.policySet.configuration &&
        stored.version >= now.version.number
          ? parseReplaced(stored.policies)
          : now.replaced;
      const replaced = { ...base, [name]: options };
      const version = Math.max(stored?.version ?? 0, now.version.number) + 1;
      // Validated before anything is written: an invalid policy reaches no instance.
      const next = this.policySet.synced(replaced, version);
      const snapshot = { version, configuration: this.policySet.configuration, policies: JSON.stringify(replaced) };
      if (await this.written(sync, name, stored?.version ?? 0, snapshot)) {
        this.applyIfNewer(next, [name]);
        return next.version;
      }
    }
    throw new CorsPolicySyncError(
      `policy '${name}' was not replaced: ${MAX_WRITE_ATTEMPTS} other replacements were written first; try again`,
    );
  }

  /** A policy with an `originPredicate` stays as configured: the function cannot travel to the other instances. */
  private predicateProblems(replaced: ReplacedPolicies): ConfigurationProblems {
    const problems = new ConfigurationProblems();
    for (const [name, options] of Object.entries(replaced)) {
      if (options.originPredicate !== undefined || this.policySet.configured.get(name)?.options.originPredicate) {
        problems.add(
          `policy '${name}' has an originPredicate, a function, which cannot travel through Redis to the other instances: with sync, a policy with a predicate changes only by deploying (keep what changes at run time in the predicate's own data source)`,
        );
      }
    }
    return problems;
  }

  private async stored(sync: CorsPolicySync, name: string): Promise<StoredPolicySnapshot | undefined> {
    try {
      return await sync.read();
    } catch (error) {
      throw new CorsPolicySyncError(`policy '${name}' was not replaced: reading Redis failed (${String(error)})`);
    }
  }

  private async written(
    sync: CorsPolicySync,
    name: string,
    expected: number,
    snapshot: StoredPolicySnapshot,
  ): Promise<boolean> {
    try {
      return await sync.write(expected, snapshot);
    } catch (error) {
      throw new CorsPolicySyncError(
        `policy '${name}' may not have been replaced: writing Redis failed (${String(error)}); the version every instance applies says whether it was`,
      );
    }
  }

  private async announced(version: number): Promise<void> {
    if (version > this.policySet.snapshot.version.number) await this.pull();
  }

  private async reconnected(): Promise<void> {
    if (this.firstConnection !== undefined) {
      // Start-up is waiting for this, and reads the snapshot itself.
      this.firstConnection();
      return;
    }
    // Both connections tell; the one the reads and writes use says whether Redis is back.
    if (this.warnedLost && this.sync?.isConnected() === true) {
      this.warnedLost = false;
      this.logger.warn(
        `policy sync: connected to Redis again; reading the shared snapshot (this instance is at ${this.versionText()})`,
      );
    }
    await this.pull();
  }

  private lost(why: string): void {
    if (this.warnedLost) return;
    this.warnedLost = true;
    this.logger.warn(
      `policy sync: ${why}; requests keep being decided under ${this.versionText()}, and replaceEverywhere() fails until it is back`,
    );
  }

  private versionText(): string {
    const { number, source } = this.policySet.snapshot.version;
    return `policy version ${number} (${source})`;
  }

  /**
   * Applies the stored snapshot if it is newer and made from this
   * configuration; puts this instance's back if the store has an older one
   * or none (a Redis restarted without persistence), so that instances
   * started meanwhile converge.
   */
  private async pull(): Promise<void> {
    const sync = this.sync;
    // Read when the connection the reads use is up: its 'ready' pulls again.
    if (sync === undefined || !sync.isConnected()) return;
    let stored: StoredPolicySnapshot | undefined;
    try {
      stored = await sync.read();
    } catch (error) {
      this.logger.warn(
        `policy sync: reading the shared snapshot failed (${String(error)}); will read it when Redis is back`,
      );
      return;
    }
    const now = this.policySet.snapshot;
    if (stored === undefined || stored.version < now.version.number) {
      if (now.version.source === 'redis') await this.restore(sync, stored?.version ?? 0, now);
      return;
    }
    if (stored.version === now.version.number) return;
    if (stored.configuration !== this.policySet.configuration) {
      if (stored.version > this.ignoredVersion) {
        this.ignoredVersion = stored.version;
        this.logger.log(
          `policy sync: ignoring snapshot version ${stored.version} in Redis: it was made from configuration ${stored.configuration}, this instance runs configuration ${this.policySet.configuration} (a snapshot applies only to the configuration it was made from)`,
        );
      }
      return;
    }
    try {
      const replaced = parseReplaced(stored.policies);
      this.predicateProblems(replaced).throwIfAny();
      const next = this.policySet.synced(replaced, stored.version);
      const changed = Object.keys(replaced).filter((name) => next.named.get(name) !== now.named.get(name));
      this.applyIfNewer(next, changed);
    } catch (error) {
      if (!(error instanceof CorsConfigurationError)) throw error;
      this.logger.error(
        `policy sync: refusing snapshot version ${stored.version} from Redis, this instance stays at ${this.versionText()}: ${error.message}`,
      );
    }
  }

  private async restore(sync: CorsPolicySync, expected: number, now: PolicySnapshot): Promise<void> {
    const snapshot = {
      version: now.version.number,
      configuration: now.version.configuration,
      policies: JSON.stringify(now.replaced),
    };
    // Another instance may restore first (false): its announcement brings the newest one.
    if (await sync.write(expected, snapshot).catch(() => false)) {
      this.logger.log(
        `policy sync: Redis had ${expected === 0 ? 'no snapshot' : `version ${expected}`}; wrote back version ${snapshot.version}`,
      );
    }
  }

  /** Installs `next` unless a newer version was installed while it was read or written. */
  private applyIfNewer(next: PolicySnapshot, changed: readonly string[]): void {
    if (next.version.number <= this.policySet.snapshot.version.number) return;
    this.policySet.install(next);
    this.logger.log(
      `policy sync: applied version ${next.version.number} from Redis (changed: ${changed.join(', ') || 'none'})`,
    );
  }
}
