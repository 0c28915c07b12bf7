import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { RedisUploadSlots } from '../../src/adapters/redis/redis-upload-slots';
import { uploadSlotsContract } from '../contract/upload-slots.contract';
import { capturingLogger } from '../support/capturing-logger';
import { currentRun } from '../support/run-resources';

const silent = capturingLogger('silent').logger;

/** A client over this run's Redis, in a key space of its own under the run's prefix. */
async function aClient(prefix: string): Promise<Redis> {
  const client = createRedisClient({ url: currentRun().redisUrl, keyPrefix: prefix, connectTimeoutMs: 5_000 }, silent);
  if (!(await waitUntilReady(client, 5_000))) throw new Error('Redis is not ready');
  return client;
}

const aPrefix = () => `${currentRun().keyPrefix}slots-${randomBytes(4).toString('hex')}:`;

uploadSlotsContract('RedisUploadSlots', async () => {
  const prefix = aPrefix();
  const [one, two] = await Promise.all([aClient(prefix), aClient(prefix)]);
  const slots = new RedisUploadSlots(one);
  const peer = new RedisUploadSlots(two);
  return {
    slots,
    peer,
    close: async () => {
      await Promise.all([slots.close(), peer.close()]);
      await Promise.all([one.quit(), two.quit()]);
    },
  };
});

describe('RedisUploadSlots', () => {
  it('gives back the slots of a holder that died without releasing them, once their lease lapses', async () => {
    const prefix = aPrefix();
    const [dead, alive] = await Promise.all([aClient(prefix), aClient(prefix)]);
    const caller = randomUUID();
    const gone = new RedisUploadSlots(dead, 'upload-slots:', 300);
    const survivor = new RedisUploadSlots(alive, 'upload-slots:', 300);
    try {
      expect(await gone.tryAcquire(caller, 1)).not.toBeNull();
      // The holder's process is killed: no release, no more renewals.
      await gone.close();
      dead.disconnect();
      await expect(survivor.tryAcquire(caller, 1)).resolves.toBeNull();
      await new Promise((r) => setTimeout(r, 400));
      await expect(survivor.tryAcquire(caller, 1)).resolves.not.toBeNull();
    } finally {
      await survivor.close();
      await alive.quit();
    }
  });

  it('keeps a live holder’s slot past its lease by renewing it', async () => {
    const prefix = aPrefix();
    const [one, two] = await Promise.all([aClient(prefix), aClient(prefix)]);
    const caller = randomUUID();
    const holder = new RedisUploadSlots(one, 'upload-slots:', 300);
    const other = new RedisUploadSlots(two, 'upload-slots:', 300);
    try {
      const slot = await holder.tryAcquire(caller, 1);
      expect(slot).not.toBeNull();
      await new Promise((r) => setTimeout(r, 700));
      await expect(other.tryAcquire(caller, 1)).resolves.toBeNull();
      await slot!.release();
      await expect(other.tryAcquire(caller, 1)).resolves.not.toBeNull();
    } finally {
      await Promise.all([holder.close(), other.close()]);
      await Promise.all([one.quit(), two.quit()]);
    }
  });
});
