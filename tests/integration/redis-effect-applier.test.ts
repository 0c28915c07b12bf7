import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { markerKey, RedisEffectApplier } from '../../src/adapters/redis/redis-effect-applier';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';
import { redisEffectsContract } from '../contract/redis-effects.contract';
import { capturingLogger } from '../support/capturing-logger';
import { freePort } from '../support/free-port';
import { currentRun } from '../support/run-resources';

const silent = capturingLogger('silent').logger;

/** An applier over this run's Redis, in a key space of its own under the run's prefix. */
async function anApplier(): Promise<{ applier: RedisEffectApplier; client: Redis; prefix: string }> {
  const run = currentRun();
  const prefix = `${run.keyPrefix}effects-${randomBytes(4).toString('hex')}:`;
  const client = createRedisClient({ url: run.redisUrl, keyPrefix: prefix, connectTimeoutMs: 5_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error(`Redis at ${run.redisUrl} is not ready`);
  return { applier: new RedisEffectApplier(client), client, prefix };
}

redisEffectsContract('RedisEffectApplier', async () => {
  const { applier, client } = await anApplier();
  const read = async (key: string) => {
    const type = await client.type(key);
    if (type === 'none') return null;
    return type === 'hash' ? client.hgetall(key) : client.get(key);
  };
  return { effects: applier, read, ttl: (key) => client.ttl(key), close: async () => void client.disconnect() };
});

describe('RedisEffectApplier', () => {
  it("writes under the client's prefix, with a marker that expires", async () => {
    const { applier, client, prefix } = await anApplier();
    const raw = new Redis(currentRun().redisUrl);
    try {
      await applier.apply([{ marker: 'tx_1:1', command: { op: 'set', key: 'k', value: 'v', ttlSeconds: null } }]);
      await expect(raw.get(`${prefix}k`)).resolves.toBe('v');
      expect(await raw.ttl(`${prefix}${markerKey('tx_1:1')}`)).toBeGreaterThan(6 * 24 * 3600);
    } finally {
      raw.disconnect();
      client.disconnect();
    }
  });

  it('fails with KeyValueUnavailable while Redis cannot be reached', async () => {
    const client = createRedisClient({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'x:', connectTimeoutMs: 1_000 }, silent);
    try {
      await expect(new RedisEffectApplier(client).apply([{ marker: 'm', command: { op: 'incr', key: 'n' } }])).rejects.toBeInstanceOf(KeyValueUnavailable);
    } finally {
      client.disconnect();
    }
  });
});
