/**
 * CorsModule's `sync` over the application's own ioredis client: the snapshot
 * in one Redis hash, swapped by a Lua script that compares its version first
 * (a stale write never replaces a newer one) and announces the new version on
 * a channel, from a second connection of the client's (`duplicate()`), as a
 * subscriber needs. Only types are imported from ioredis: nothing here loads
 * it, the application's client is what runs.
 */
import type { Redis } from 'ioredis';
import type {
  CorsPolicySync,
  CorsPolicySyncListener,
  StoredPolicySnapshot,
} from '../nest/cors-policy-sync.interface.js';

export interface RedisPolicySyncOptions {
  /**
   * The Redis hash that holds the snapshot (fields `version`, `configuration`, `policies`).
   * @default 'cors:policies'
   */
  readonly key?: string;
  /**
   * The channel each new version is announced on.
   * @default 'cors:policies:versions'
   */
  readonly channel?: string;
  /**
   * Milliseconds start-up waits for Redis; past them the instance starts from its configuration and converges
   * when Redis is reachable.
   * @default 2000
   */
  readonly connectTimeout?: number;
  /**
   * Milliseconds a read or write of the snapshot may take before it fails.
   * @default 1000
   */
  readonly commandTimeout?: number;
}

/**
 * KEYS[1]: the snapshot's hash. ARGV: the version expected there (0: none), then the new snapshot's version,
 * configuration and policies, then the channel. Atomic: Redis runs a script alone.
 */
const WRITE_IF_UNCHANGED = `
local stored = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if stored ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'configuration', ARGV[3], 'policies', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[2])
return 1
`;

class RedisPolicySync implements CorsPolicySync {
  private readonly key: string;
  private readonly channel: string;
  readonly connectTimeout: number;
  private readonly commandTimeout: number;
  private subscriber: Redis | undefined;
  private readonly detach: Array<() => void> = [];

  constructor(
    private readonly client: Redis,
    options: RedisPolicySyncOptions,
  ) {
    this.key = options.key ?? 'cors:policies';
    this.channel = options.channel ?? 'cors:policies:versions';
    this.connectTimeout = options.connectTimeout ?? 2_000;
    this.commandTimeout = options.commandTimeout ?? 1_000;
  }

  start(listener: CorsPolicySyncListener): void {
    const subscriber = this.client.duplicate({ enableOfflineQueue: true, autoResubscribe: false, lazyConnect: false });
    this.subscriber = subscriber;
    // The application's client reports its own errors; this connection's show as the warnings below.
    subscriber.on('error', () => undefined);
    subscriber.on('message', (channel: string, message: string) => {
      const version = Number(message);
      if (channel === this.channel && Number.isSafeInteger(version)) listener.announced(version);
    });
    // At each (re)connection: subscribed first, then told to read, so that a version written in between is either
    // in what is read or announced to the subscription (ioredis's own resubscription comes after 'ready').
    subscriber.on('ready', () => {
      subscriber.subscribe(this.channel).then(
        () => listener.connected(),
        () => undefined,
      );
    });
    const onReady = (): void => listener.connected();
    const onClose = (): void => listener.disconnected();
    this.client.on('ready', onReady);
    this.client.on('close', onClose);
    this.detach.push(
      () => this.client.off('ready', onReady),
      () => this.client.off('close', onClose),
    );
  }

  isConnected(): boolean {
    return this.client.status === 'ready';
  }

  async read(): Promise<StoredPolicySnapshot | undefined> {
    const fields = await this.bounded(this.client.hgetall(this.key));
    const version = Number(fields.version);
    if (fields.version === undefined || !Number.isSafeInteger(version)) return undefined;
    return { version, configuration: fields.configuration ?? '', policies: fields.policies ?? '{}' };
  }

  async write(expected: number, next: StoredPolicySnapshot): Promise<boolean> {
    const written = await this.bounded(
      this.client.eval(
        WRITE_IF_UNCHANGED,
        1,
        this.key,
        expected,
        next.version,
        next.configuration,
        next.policies,
        this.channel,
      ),
    );
    return written === 1;
  }

  stop(): Promise<void> {
    for (const detach of this.detach.splice(0)) detach();
    this.subscriber?.disconnect();
    return Promise.resolve();
  }

  /** `command`, or a rejection once `commandTimeout` has passed: no caller waits on a Redis that does not answer. */
  private async bounded<T>(command: Promise<T>): Promise<T> {
    if (!this.isConnected()) throw new Error(`Redis is not connected (${this.client.status})`);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Redis did not answer within ${this.commandTimeout} ms`)),
        this.commandTimeout,
      );
    });
    try {
      return await Promise.race([command, late]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * CorsModule's `sync` through Redis:
 * `CorsModule.forRoot({ policies, sync: redisPolicySync(new Redis(url)) })`.
 * `client` is the application's ioredis client (it stays the application's
 * to close); a second connection is made from it for the subscription.
 */
export function redisPolicySync(client: Redis, options: RedisPolicySyncOptions = {}): CorsPolicySync {
  return new RedisPolicySync(client, options);
}
