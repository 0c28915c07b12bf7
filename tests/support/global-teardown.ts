import { Redis } from 'ioredis';
import { adminQuery, currentRun, dropDatabase } from './run-resources';

/** Drops every database of this run (the main one and the scratch ones) and its Redis keys. */
export default async function globalTeardown(): Promise<void> {
  const run = currentRun();
  const names = await adminQuery(run.adminUrl, async (c) => {
    const result = await c.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`vb_test_${run.runId}%`]);
    return result.rows.map((r) => r.datname);
  });
  for (const name of names) await dropDatabase(run.adminUrl, name);

  const redis = new Redis(run.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${run.keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  await globalThis.__vbTestServers?.stop();
}
