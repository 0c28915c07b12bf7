import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { RedisKeyValueStore } from '../../src/adapters/redis/redis-key-value-store';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { keyValueStoreContract } from '../contract/key-value-store.contract';
import { capturingLogger } from '../support/capturing-logger';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';

const silent = capturingLogger('silent').logger;

/** A store over this run's Redis, in a key space of its own under the run's prefix. */
async function aRedisStore(): Promise<{ store: RedisKeyValueStore; prefix: string }> {
  const run = currentRun();
  const prefix = `${run.keyPrefix}kv-${randomBytes(4).toString('hex')}:`;
  const client = createRedisClient({ url: run.redisUrl, keyPrefix: prefix, connectTimeoutMs: 5_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error(`Redis at ${run.redisUrl} is not ready`);
  return { store: new RedisKeyValueStore(client), prefix };
}

keyValueStoreContract('RedisKeyValueStore', async () => {
  const { store } = await aRedisStore();
  return { store, elapse: (ms) => new Promise((r) => setTimeout(r, ms)), close: () => store.close() };
});

describe('RedisKeyValueStore', () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(currentRun().redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => raw.quit());

  it('stores under its key prefix, so stores with different prefixes never meet', async () => {
    const [a, b] = await Promise.all([aRedisStore(), aRedisStore()]);
    try {
      await a.store.set('shared-name', 'from a', 60);
      await expect(raw.get(`${a.prefix}shared-name`)).resolves.toBe('from a');
      await expect(b.store.get('shared-name')).resolves.toBeNull();
    } finally {
      await Promise.all([a.store.close(), b.store.close()]);
    }
  });

  it('reports the server as redis, with the memory it says it uses', async () => {
    const { store } = await aRedisStore();
    try {
      const stats = await store.stats();
      expect(stats.mode).toBe('redis');
      expect(stats.usedMemoryBytes).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('fails every call at once with KeyValueUnavailable while the server cannot be reached', async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'x:', connectTimeoutMs: 1_000 }, silent);
    const store = new RedisKeyValueStore(client);
    try {
      for (const call of [() => store.get('k'), () => store.set('k', 'v'), () => store.incr('k'), () => store.stats()]) {
        await expect(call()).rejects.toBeInstanceOf(KeyValueUnavailable);
      }
    } finally {
      client.disconnect();
    }
  });
});
