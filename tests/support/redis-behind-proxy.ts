import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient, waitUntilReady } from '../../src/adapters/redis/redis-client';
import { capturingLogger } from './capturing-logger';
import { eventually } from './eventually';
import { currentRun } from './run-resources';
import { TcpProxy } from './tcp-proxy';

/**
 * Redis clients of this run reached through a proxy a test can cut, all under one fresh key prefix
 * (several clients play several service instances sharing one Redis).
 */
export async function redisBehindProxy() {
  const run = currentRun();
  const proxy = TcpProxy.forUrl(run.redisUrl);
  await proxy.start();
  const prefix = `${run.keyPrefix}proxied-${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  const client = async (): Promise<Redis> => {
    const made = createRedisClient({ url: proxy.rewrite(run.redisUrl), keyPrefix: prefix, connectTimeoutMs: 1_000 }, capturingLogger('silent').logger);
    clients.push(made);
    if (!(await waitUntilReady(made, 5_000))) throw new Error(`Redis at ${run.redisUrl} is not ready`);
    return made;
  };
  return {
    client,
    /** Cuts Redis away (true) until every client has noticed, or brings it back (false) until every one is ready again. */
    down: async (down: boolean) => {
      if (down) {
        await proxy.cut();
        await eventually('every Redis client to notice the cut', () => (clients.every((c) => c.status !== 'ready') ? true : undefined), 5_000);
      } else {
        await proxy.restore();
        const ready = await Promise.all(clients.map((c) => waitUntilReady(c, 5_000)));
        if (!ready.every(Boolean)) throw new Error('Redis did not come back through the proxy');
      }
    },
    close: async () => {
      clients.forEach((c) => c.disconnect());
      await proxy.stop();
    },
  };
}
