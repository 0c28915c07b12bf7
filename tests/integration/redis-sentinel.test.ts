import { Redis } from 'ioredis';
import request from 'supertest';
import type { KeyValueStore } from '../../src/application/ports/key-value-store.port';
import type { QueryCache } from '../../src/application/ports/query-cache.port';
import type { RateLimitCounter } from '../../src/application/ports/rate-limit-counter.port';
import type { RedisEffects } from '../../src/application/ports/redis-effects.port';
import { TOKENS } from '../../src/infrastructure/tokens';
import { eventually } from '../support/eventually';
import { startRedisServer, startSentinel, type RunningRedis } from '../support/own-redis';
import { buildTestApp, type TestApp } from '../support/test-app';

const MASTER = 'vbtest';
const PREFIX = 'sentinel-test:';

/**
 * The wired service with REDIS_URL=redis+sentinel://…: its own primary, replica and sentinel (never
 * the run's shared Redis), every key-value port used through the sentinel, then a failover followed.
 */
describe('Redis through Sentinel (redis+sentinel://)', () => {
  let primary: RunningRedis;
  let replica: RunningRedis;
  let sentinel: RunningRedis;
  let t: TestApp;
  const direct: Redis[] = [];
  const at = (port: number) => {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
    direct.push(client);
    return client;
  };

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer({ replicaOf: primary.port });
    sentinel = await startSentinel(MASTER, primary.port);
    // The sentinel must know the replica before it can promote it.
    const sentinelClient = at(sentinel.port);
    await eventually('the sentinel sees the replica', async () => {
      const replicas = (await sentinelClient.call('SENTINEL', 'REPLICAS', MASTER)) as string[][];
      return replicas.some((fields) => fields.includes(String(replica.port)) && fields[fields.indexOf('flags') + 1] === 'slave') ? true : undefined;
    });
    t = await buildTestApp({ env: { REDIS_URL: `redis+sentinel://127.0.0.1:${sentinel.port}/${MASTER}`, REDIS_KEY_PREFIX: PREFIX }, background: false });
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    for (const client of direct) client.disconnect();
    // Ours only, each by its own PID.
    await sentinel?.stop();
    await replica?.stop();
    await primary?.stop();
  });

  it('reports Redis UP on /health', async () => {
    const res = await request(t.app).get('/health').expect(200);
    expect(res.body.checks.redis).toMatchObject({ status: 'UP', mode: 'redis' });
  });

  it('writes through the key-value store, the query cache, the transaction effects and the rate limiter to the primary the sentinel names', async () => {
    const store = t.container.get<KeyValueStore>(TOKENS.KeyValueStore);
    await store.set('data:greeting', 'hello', 60);
    expect(await store.get('data:greeting')).toBe('hello');
    expect(await at(primary.port).get(`${PREFIX}data:greeting`)).toBe('hello');

    const cache = t.container.get<QueryCache>(TOKENS.QueryCache);
    const generations = await cache.generations(['users', 'projects']);
    await cache.store('q1', generations, '{"rows":[]}', 60);
    expect((await cache.lookup('q1', ['users', 'projects'])).value).toBe('{"rows":[]}');
    await cache.bump(['users']);
    expect((await cache.lookup('q1', ['users', 'projects'])).value).toBeNull();

    const effects = t.container.get<RedisEffects>(TOKENS.RedisEffects);
    await expect(effects.apply([{ marker: 'sentinel-m1', command: { op: 'incr', key: 'data:counter' } }])).resolves.toEqual([{ status: 'applied' }]);
    expect(await at(primary.port).get(`${PREFIX}data:counter`)).toBe('1');

    const limiter = t.container.get<RateLimitCounter>(TOKENS.RateLimitStore);
    await expect(limiter.reserve('caller-1', 5, 2, 60_000)).resolves.toMatchObject({ granted: 2, used: 2 });
  });

  it('follows a failover: after SENTINEL FAILOVER, writes land on the promoted replica', async () => {
    const store = t.container.get<KeyValueStore>(TOKENS.KeyValueStore);
    // What the previous test wrote has reached the replica before it is promoted (a forced failover does not wait).
    await eventually('the replica has the data', async () => ((await at(replica.port).get(`${PREFIX}data:greeting`)) === 'hello' ? true : undefined));
    await at(sentinel.port).call('SENTINEL', 'FAILOVER', MASTER);
    await eventually('the sentinel names the replica as primary', async () => {
      const [, port] = (await at(sentinel.port).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER)) as string[];
      return port === String(replica.port) ? true : undefined;
    });
    // Calls may fail while the client switches over; then they succeed against the new primary.
    await eventually('a write after the failover', async () => {
      await store.set('data:after-failover', 'yes', 60);
      return (await at(replica.port).get(`${PREFIX}data:after-failover`)) === 'yes' ? true : undefined;
    }, 20_000);
    expect(await store.get('data:greeting')).toBe('hello');
    expect((await at(replica.port).info('replication')).includes('role:master')).toBe(true);
  }, 40_000);
});
