/**
 * Issue 35: policy changes shared by every instance through a real
 * redis-server. Instances are applications in this process, each with its own
 * ioredis client, as separate processes would have.
 */
import { Redis } from 'ioredis';
import { CorsConfigurationError, CorsPolicies, CorsPolicySyncError, formatExplanation } from 'nestjs-route-cors';
import type { App } from 'supertest/types.js';
import { preflight } from '../../../test/support/fixture-app.js';
import { pollUntil } from '../../../test/support/poll.js';
import { type RedisServer, startRedisServer } from '../../../test/support/redis-server.js';
import {
  logs,
  NEW_PARTNER,
  PARTNER,
  PARTNERS,
  startSyncedInstance,
  type SyncedInstance,
  TENANT,
  TENANTS,
} from './fixtures/policy-sync.fixture.js';

/** Each test waits for instances to hear of changes (pollUntil gives up after 5 s): more than jest's default 5 s. */
const SYNC_TEST_MS = 20_000;

let redis: RedisServer;
/** The test's own view of Redis, to read and plant snapshots. */
let inspector: Redis;
let a: SyncedInstance;
let b: SyncedInstance;

const policies = (instance: SyncedInstance): CorsPolicies => instance.app.get(CorsPolicies);
const server = (instance: SyncedInstance): App => instance.app.getHttpServer() as App;
const allows = async (instance: SyncedInstance, origin: string): Promise<boolean> =>
  (await preflight(server(instance), '/partners', origin, 'PUT')).status === 204;
const stored = (): Promise<Record<string, string>> => inspector.hgetall('cors:policies');

beforeAll(async () => {
  redis = await startRedisServer();
  inspector = new Redis({ host: '127.0.0.1', port: redis.port, retryStrategy: () => 100 });
  inspector.on('error', () => undefined);
  [a, b] = await Promise.all([startSyncedInstance(redis.port), startSyncedInstance(redis.port)]);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  inspector?.disconnect();
  await redis?.remove();
});

describe('replaceEverywhere()', () => {
  it(
    'starts every instance at version 0, from its configuration',
    () => {
      for (const instance of [a, b]) {
        expect(policies(instance).policyVersion).toEqual({
          number: 0,
          source: 'configuration',
          configuration: expect.stringMatching(/^[0-9a-f]{12}$/),
        });
      }
      expect(policies(a).policyVersion.configuration).toBe(policies(b).policyVersion.configuration);
    },
    SYNC_TEST_MS,
  );

  it(
    'applies the change on the instance that made it before resolving, and on every other one once announced',
    async () => {
      expect(await allows(b, NEW_PARTNER)).toBe(false);
      const version = await policies(a).replaceEverywhere('partners', { ...PARTNERS, origins: [PARTNER, NEW_PARTNER] });
      expect(version).toEqual({ number: 1, source: 'redis', configuration: policies(a).policyVersion.configuration });
      expect(await allows(a, NEW_PARTNER)).toBe(true);
      expect(await pollUntil(() => allows(b, NEW_PARTNER))).toBe(true);
      expect(policies(b).policyVersion).toEqual(version);
      expect((await stored()).version).toBe('1');
    },
    SYNC_TEST_MS,
  );

  it(
    'shows the version in routeReport(), its JSON and the explanation, so that instances can be compared',
    async () => {
      const report = policies(b).routeReport();
      expect(report.policyVersion).toEqual(policies(a).policyVersion);
      const explained = await policies(b).explain({
        origin: NEW_PARTNER,
        method: 'PUT',
        path: '/partners',
        headers: [],
        credentials: false,
      });
      expect(explained.allowed).toBe(true);
      expect(explained.policyVersion?.number).toBe(1);
      expect(formatExplanation(explained)).toMatch(/^Policies: version 1, from Redis \(configuration [0-9a-f]{12}\)$/m);
    },
    SYNC_TEST_MS,
  );

  it(
    'refuses replace(), which would change one instance only',
    () => {
      expect(() => policies(a).replace('partners', PARTNERS)).toThrow(
        /use await replaceEverywhere\('partners', options\)/,
      );
    },
    SYNC_TEST_MS,
  );

  it(
    'writes nothing and changes no instance when the options are invalid',
    async () => {
      await expect(
        policies(b).replaceEverywhere('partners', { origins: ['https://bad.example/path'] }),
      ).rejects.toThrow(CorsConfigurationError);
      await expect(policies(b).replaceEverywhere('nobody', PARTNERS)).rejects.toThrow(/no policy named 'nobody'/);
      expect((await stored()).version).toBe('1');
      expect([policies(a).policyVersion.number, policies(b).policyVersion.number]).toEqual([1, 1]);
    },
    SYNC_TEST_MS,
  );

  it(
    'builds on the newest snapshot: changes made on two instances both stay',
    async () => {
      await policies(b).replaceEverywhere('partners', { ...PARTNERS, origins: [NEW_PARTNER] });
      expect(await pollUntil(() => allows(a, PARTNER).then((allowed) => !allowed))).toBe(true);
      expect(policies(a).policyVersion.number).toBe(2);
      expect(JSON.parse((await stored()).policies ?? '{}')).toEqual({
        partners: { ...PARTNERS, origins: [NEW_PARTNER] },
      });
    },
    SYNC_TEST_MS,
  );
});

describe('a policy with an originPredicate', () => {
  it(
    'is refused by replaceEverywhere(), naming the policy: a function cannot travel',
    async () => {
      const replacing = policies(a).replaceEverywhere('tenants', { ...TENANTS, methods: ['GET'] });
      await expect(replacing).rejects.toThrow(CorsConfigurationError);
      await expect(replacing).rejects.toThrow(
        /policy 'tenants' has an originPredicate, a function, which cannot travel/,
      );
      await expect(
        policies(a).replaceEverywhere('partners', { ...PARTNERS, originPredicate: () => true }),
      ).rejects.toThrow(/policy 'partners' has an originPredicate/);
      expect((await stored()).version).toBe('2');
    },
    SYNC_TEST_MS,
  );

  it(
    'is refused in a snapshot read from Redis: the instances log it and keep their version',
    async () => {
      const { configuration } = policies(a).policyVersion;
      const planted = JSON.stringify({ tenants: { origins: [TENANT] } });
      await inspector.hset('cors:policies', 'version', 3, 'configuration', configuration, 'policies', planted);
      await inspector.publish('cors:policies:versions', '3');
      expect(await pollUntil(() => logs.matching('refusing snapshot version 3').length === 2)).toBe(true);
      expect(logs.matching('refusing snapshot version 3')[0]).toMatch(/policy 'tenants' has an originPredicate/);
      expect([policies(a).policyVersion.number, policies(b).policyVersion.number]).toEqual([2, 2]);
      // The predicate still decides.
      expect((await preflight(server(b), '/tenants', TENANT, 'GET')).status).toBe(204);
    },
    SYNC_TEST_MS,
  );
});

describe('a snapshot applies only to the configuration it was made from', () => {
  it(
    'is ignored by a deployment with another configuration, which says so in one line and writes under its own',
    async () => {
      const other = await startSyncedInstance(redis.port, { partners: { ...PARTNERS, methods: ['GET'] } });
      try {
        const otherVersion = policies(other).policyVersion;
        expect(otherVersion.configuration).not.toBe(policies(a).policyVersion.configuration);
        expect(otherVersion).toEqual({ number: 0, source: 'configuration', configuration: otherVersion.configuration });
        expect(logs.matching('ignoring snapshot version 3')).toEqual([
          expect.stringContaining(
            `made from configuration ${policies(a).policyVersion.configuration}, this instance runs configuration ${otherVersion.configuration}`,
          ),
        ]);
        expect(await allows(other, NEW_PARTNER)).toBe(false);

        // The other way round: the older deployment ignores what the new one writes.
        const written = await policies(other).replaceEverywhere('partners', {
          origins: [NEW_PARTNER],
          methods: ['GET'],
        });
        expect(written).toEqual({ number: 4, source: 'redis', configuration: otherVersion.configuration });
        expect((await stored()).configuration).toBe(otherVersion.configuration);
        expect(await pollUntil(() => logs.matching('ignoring snapshot version 4').length === 2)).toBe(true);
        expect([policies(a).policyVersion.number, policies(b).policyVersion.number]).toEqual([2, 2]);

        // And it builds on its own policies, not on a snapshot of another configuration.
        await policies(a).replaceEverywhere('partners', { ...PARTNERS, origins: [PARTNER, NEW_PARTNER] });
        expect(policies(a).policyVersion.number).toBe(5);
        expect(await pollUntil(() => policies(b).policyVersion.number === 5)).toBe(true);
        expect(policies(other).policyVersion.number).toBe(4);
      } finally {
        await other.close();
      }
    },
    SYNC_TEST_MS,
  );
});

describe('Redis down', () => {
  let late: SyncedInstance | undefined;
  afterAll(() => late?.close());

  it(
    'keeps deciding under the last version, warns once, and refuses replaceEverywhere() without changing anything',
    async () => {
      await redis.stop();
      expect(await pollUntil(() => logs.matching('warn policy sync: lost the connection to Redis').length === 2)).toBe(
        true,
      );
      expect(await allows(a, NEW_PARTNER)).toBe(true);
      expect(await allows(b, PARTNER)).toBe(true);
      const replacing = policies(a).replaceEverywhere('partners', PARTNERS);
      await expect(replacing).rejects.toThrow(CorsPolicySyncError);
      await expect(replacing).rejects.toThrow(/policy 'partners' was not replaced: Redis is not reachable/);
      expect(await allows(a, NEW_PARTNER)).toBe(true);
      expect(policies(a).policyVersion.number).toBe(5);
    },
    SYNC_TEST_MS,
  );

  it(
    'starts an instance from its configuration, within its connect timeout',
    async () => {
      late = await startSyncedInstance(redis.port, { connectTimeout: 300 });
      expect(policies(late).policyVersion.source).toBe('configuration');
      expect(await allows(late, NEW_PARTNER)).toBe(false);
      expect(logs.matching('warn policy sync: Redis was not reachable within 300 ms at start-up')).toHaveLength(1);
    },
    SYNC_TEST_MS,
  );

  it(
    'converges every instance once Redis is back, empty: the instances write their version back',
    async () => {
      await redis.restart();
      expect(await pollUntil(() => policies(late as SyncedInstance).policyVersion.number === 5)).toBe(true);
      expect(await allows(late as SyncedInstance, NEW_PARTNER)).toBe(true);
      expect((await stored()).version).toBe('5');
      // One warning each when it was lost (a and b) or not there at start-up (late), one each when it is back.
      expect(await pollUntil(() => logs.matching('warn policy sync: connected to Redis again').length === 3)).toBe(
        true,
      );
      expect(logs.matching('warn policy sync: lost the connection to Redis')).toHaveLength(2);
      expect(logs.matching('warn policy sync: Redis was not reachable')).toHaveLength(1);
      await policies(late as SyncedInstance).replaceEverywhere('partners', PARTNERS);
      expect(await pollUntil(() => allows(a, NEW_PARTNER).then((allowed) => !allowed))).toBe(true);
      expect(await pollUntil(() => policies(b).policyVersion.number === 6)).toBe(true);
    },
    SYNC_TEST_MS,
  );
});
