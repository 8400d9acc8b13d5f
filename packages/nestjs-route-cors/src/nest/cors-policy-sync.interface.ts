/**
 * What CorsModule's `sync` option needs from a shared store: the module
 * decides what to apply (versions, configuration fingerprints, validation);
 * the store only keeps one snapshot, swaps it atomically and announces it.
 * `nestjs-route-cors/redis` implements it over the application's ioredis
 * client.
 */

/** One snapshot as the store keeps it. */
export interface StoredPolicySnapshot {
  /** Higher than every version written before it. */
  readonly version: number;
  /** The fingerprint of the configuration it was made from. */
  readonly configuration: string;
  /** The replaced policies' options by name, as JSON. */
  readonly policies: string;
}

/** What the store tells the module. */
export interface CorsPolicySyncListener {
  /** The store is reachable (at start-up, and again after every reconnect): read it, announcements may have been lost. */
  connected(): void;
  /** The connection is lost; announcements are lost until `connected()`. */
  disconnected(): void;
  /** Some instance wrote the snapshot `version`. */
  announced(version: number): void;
}

export interface CorsPolicySync {
  /** Milliseconds start-up waits for the store before it goes on under the configuration. */
  readonly connectTimeout: number;
  /** Starts telling `listener`; synchronous, never waits for the store. */
  start(listener: CorsPolicySyncListener): void;
  /** Whether a read or write can be sent now. */
  isConnected(): boolean;
  /** The stored snapshot; undefined when there is none. Rejects when the store does not answer in time. */
  read(): Promise<StoredPolicySnapshot | undefined>;
  /**
   * Stores `next` and announces its version, atomically, if the stored
   * snapshot's version is still `expected` (0: none); false when another
   * write came first, so that a stale write never replaces a newer one.
   */
  write(expected: number, next: StoredPolicySnapshot): Promise<boolean>;
  /** Stops telling and closes what `start` opened (never the application's own client). */
  stop(): Promise<void>;
}
