/**
 * Which version of the named policies an instance decides requests under, so
 * that operators can compare instances (`cors:routes`, `routeReport()`, the
 * explanation), and the fingerprint of a configuration, which a synced
 * snapshot must have been made from to apply.
 */
import { createHash } from 'node:crypto';
import type { CorsPolicyOptions } from './policy.js';

/** Where the policies an instance applies came from. */
export type CorsPolicySource =
  /** The module's configuration, unchanged since start-up. */
  | 'configuration'
  /** `CorsPolicies.replace()` on this instance (no `sync`). */
  | 'local'
  /** A snapshot in Redis (`sync`), written by any instance. */
  | 'redis';

export interface CorsPolicyVersion {
  /** 0 for the configuration; each replacement has a higher one. Synced versions are the same on every instance. */
  readonly number: number;
  readonly source: CorsPolicySource;
  /** The fingerprint of the configuration's named policies (`configurationFingerprint`). */
  readonly configuration: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON with every object's keys sorted, so equal options give equal text
 * whatever order they were written in. A function (an `originPredicate`) is
 * written as its presence: its code is not comparable.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) => {
    if (typeof entry === 'function') return '[function]';
    if (!isPlainObject(entry)) return entry;
    return Object.fromEntries(
      Object.keys(entry)
        .toSorted()
        .map((key) => [key, entry[key]]),
    );
  });
}

/** The first 12 hex digits of the SHA-256 of the named policies' stable JSON. */
export function configurationFingerprint(policies: Readonly<Record<string, CorsPolicyOptions>>): string {
  return createHash('sha256').update(stableJson(policies)).digest('hex').slice(0, 12);
}

/** One line for reports: "version 12, from Redis (configuration 3f9c1a2b7d4e)". */
export function describeVersion({ number, source, configuration }: CorsPolicyVersion): string {
  const from = { configuration: "the configuration's", local: 'replaced on this instance', redis: 'from Redis' }[
    source
  ];
  return `version ${number}, ${from} (configuration ${configuration})`;
}
