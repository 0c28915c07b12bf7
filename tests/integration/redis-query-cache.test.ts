import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { RedisQueryCache } from '../../src/adapters/redis/redis-query-cache';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { queryCacheContract } from '../contract/query-cache.contract';
import { capturingLogger } from '../support/capturing-logger';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';

const silent = capturingLogger('silent').logger;

/** A cache over this run's Redis, under a key prefix of its own. */
async function aRedisCache(): Promise<{ cache: RedisQueryCache; client: Redis; prefix: string }> {
  const run = currentRun();
  const prefix = `${run.keyPrefix}qc-${randomBytes(4).toString('hex')}:`;
  const client = createRedisClient({ url: run.redisUrl, keyPrefix: prefix, connectTimeoutMs: 5_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error(`Redis at ${run.redisUrl} is not ready`);
  return { cache: new RedisQueryCache(client), client, prefix };
}

queryCacheContract('RedisQueryCache', async () => {
  const { cache, client } = await aRedisCache();
  return { cache, elapse: (ms) => new Promise((r) => setTimeout(r, ms)), close: async () => void (await client.quit()) };
});

describe('RedisQueryCache', () => {
  let raw: Redis;
  beforeAll(() => {
    raw = new Redis(currentRun().redisUrl, { maxRetriesPerRequest: 1 });
  });
  afterAll(() => raw.quit());

  it('keeps generations as counters without expiry under cache:gen:, and values under cache:q: with their TTL', async () => {
    const { cache, client, prefix } = await aRedisCache();
    try {
      const [gen] = await cache.generations(['projects']);
      await expect(raw.get(`${prefix}cache:gen:projects`)).resolves.toBe(String(gen));
      await expect(raw.ttl(`${prefix}cache:gen:projects`)).resolves.toBe(-1);
      await cache.bump(['projects']);
      await expect(raw.get(`${prefix}cache:gen:projects`)).resolves.toBe(String(gen! + 1));
      await cache.store('abc', [gen! + 1], 'v', 300);
      expect(await raw.ttl(`${prefix}cache:q:abc`)).toBeGreaterThan(290);
    } finally {
      await client.quit();
    }
  });

  it('restarts a lost counter far from its old values, so entries keyed with them stay unreachable', async () => {
    const { cache, client, prefix } = await aRedisCache();
    try {
      const [before] = await cache.generations(['projects']);
      await raw.del(`${prefix}cache:gen:projects`);
      const [after] = await cache.generations(['projects']);
      expect(after).not.toBe(before);
      await raw.del(`${prefix}cache:gen:projects`);
      await cache.bump(['projects']);
      const [bumped] = await cache.generations(['projects']);
      expect([before, after]).not.toContain(bumped);
      expect(bumped).toBeGreaterThan(1);
    } finally {
      await client.quit();
    }
  });

  it('fails every call with KeyValueUnavailable while Redis cannot be reached', async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'x:', connectTimeoutMs: 1_000 }, silent);
    const cache = new RedisQueryCache(client);
    try {
      for (const call of [() => cache.generations(['t']), () => cache.bump(['t']), () => cache.lookup('k', ['t']), () => cache.store('k', [1], 'v', 1)]) {
        await expect(call()).rejects.toBeInstanceOf(KeyValueUnavailable);
      }
    } finally {
      client.disconnect();
    }
  });
});
