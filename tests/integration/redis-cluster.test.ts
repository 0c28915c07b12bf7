import { Redis } from 'ioredis';
import request from 'supertest';
import type { KeyValueStore } from '../../src/application/ports/key-value-store.port';
import type { QueryCache } from '../../src/application/ports/query-cache.port';
import type { RateLimitCounter } from '../../src/application/ports/rate-limit-counter.port';
import type { RedisEffects } from '../../src/application/ports/redis-effects.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { startRedisCluster } from '../support/own-redis';
import { buildTestApp, type TestApp } from '../support/test-app';

const PREFIX = '{vbtest}:';

/**
 * The wired service with REDIS_URL=redis+cluster://…: a 3-master Cluster of its own (never the run's
 * shared Redis). The hash-tagged prefix keeps the multi-key scripts and MGETs within one slot.
 */
describe('Redis Cluster (redis+cluster://)', () => {
  let cluster: Awaited<ReturnType<typeof startRedisCluster>>;
  let t: TestApp;

  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    const seeds = cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const probe = new Redis({ port: cluster.nodes[0]!.port, host: '127.0.0.1' });
    await eventually('the cluster to be ok', async () => ((await probe.call('CLUSTER', 'INFO')) as string).includes('cluster_state:ok') ? true : undefined);
    probe.disconnect();
    t = await buildTestApp({ env: { REDIS_URL: `redis+cluster://${seeds}`, REDIS_KEY_PREFIX: PREFIX }, background: false });
  }, 45_000);

  afterAll(async () => {
    await t?.close();
    await cluster?.stop();
  });

  it('reports Redis UP on /health', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body.checks.redis).toMatchObject({ status: 'UP', mode: 'redis' });
  });

  it('serves the key-value store, the query cache, the transaction effects and the rate limiter, all keys in the prefix slot', async () => {
    const store = t.container.get<KeyValueStore>(TOKENS.KeyValueStore);
    await store.set('data:greeting', 'hello', 60);
    expect(await store.get('data:greeting')).toBe('hello');
    await store.hset('data:profile', { name: 'Ada' });
    expect(await store.hgetall('data:profile')).toEqual({ name: 'Ada' });

    const cache = t.container.get<QueryCache>(TOKENS.QueryCache);
    const generations = await cache.generations(['users', 'projects']);
    await cache.store('q1', generations, '{"rows":[]}', 60);
    expect((await cache.lookup('q1', ['users', 'projects'])).value).toBe('{"rows":[]}');
    await cache.bump(['users', 'projects']);
    expect((await cache.lookup('q1', ['users', 'projects'])).value).toBeNull();

    const effects = t.container.get<RedisEffects>(TOKENS.RedisEffects);
    await expect(
      effects.apply([
        { marker: 'cluster-m1', command: { op: 'incr', key: 'data:counter' } },
        { marker: 'cluster-m2', command: { op: 'set', key: 'data:other', value: 'x', ttlSeconds: null } },
      ]),
    ).resolves.toEqual([{ status: 'applied' }, { status: 'applied' }]);
    expect(await store.get('data:counter')).toBe('1');

    const limiter = t.container.get<RateLimitCounter>(TOKENS.RateLimitStore);
    await expect(limiter.reserve('caller-1', 5, 2, 60_000)).resolves.toMatchObject({ granted: 2, used: 2 });
  });
});
