import { Client } from 'pg';
import type { Redis } from 'ioredis';
import { PgOutboxStore } from '../../src/adapters/postgres/pg-outbox-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { RedisEffectApplier } from '../../src/adapters/redis/redis-effect-applier';
import { RedisQueryCache } from '../../src/adapters/redis/redis-query-cache';
import { ReadCache } from '../../src/application/database/reads/read-cache';
import { OutboxDispatcher } from '../../src/application/database/writes/outbox-dispatcher';
import { OutboxPendingInvalidations } from '../../src/application/database/writes/outbox-pending-invalidations';
import { OutboxPostCommit } from '../../src/application/database/writes/outbox-post-commit';
import { cacheInvalidatorContract } from '../contract/cache-invalidator.contract';
import { postCommitContract } from '../contract/commit-effects.contract';
import { pendingInvalidationsContract } from '../contract/pending-invalidations.contract';
import { readCacheProbe } from '../support/cached-read-probes';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { outboxWrites } from '../support/outbox-writes';
import { CountingObserver } from '../support/read-fakes';
import { RecordingLogger } from '../support/recording-logger';
import { redisBehindProxy } from '../support/redis-behind-proxy';

/**
 * The application's outbox classes as wired in production, over PostgreSQL and Redis: the read cache
 * as CacheInvalidator, OutboxPostCommit as PostCommit, OutboxPendingInvalidations. A database of
 * their own, so no other test's outbox entries count as owed.
 */
let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;
let sql: Client;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
  sql = new Client({ connectionString: scratch.url });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await scratch.close();
});

const aReadCache = (client: Redis, logger = new RecordingLogger()) => new ReadCache(new RedisQueryCache(client), new CountingObserver(), null, logger, { ttlSeconds: 300 });

cacheInvalidatorContract(
  'ReadCache over Redis',
  async () => {
    const redis = await redisBehindProxy();
    const cache = aReadCache(await redis.client());
    // Reads are cached and probed by another instance: an invalidation reaches every instance.
    const other = aReadCache(await redis.client());
    return { invalidator: cache, cachedRead: readCacheProbe(other), storeDown: () => redis.down(true), close: redis.close };
  },
  { outage: true },
);

postCommitContract(
  'OutboxPostCommit over PostgreSQL and Redis',
  async () => {
    await sql.query('TRUNCATE data_outbox RESTART IDENTITY');
    const redis = await redisBehindProxy();
    const client = await redis.client();
    const logger = new RecordingLogger();
    const outbox = new PgOutboxStore(db, db, 200);
    const cache = aReadCache(client, logger);
    const writes = outboxWrites(outbox, () => db.openSession());
    return {
      postCommit: new OutboxPostCommit(outbox, new OutboxDispatcher(new RedisEffectApplier(client), cache, logger), cache, logger),
      cachedRead: readCacheProbe(cache, aReadCache(await redis.client())),
      outbox: { commit: writes.commitSet, redisValue: (key) => client.get(key) },
      redisDown: redis.down,
      close: redis.close,
    };
  },
  { outbox: true, outage: true },
);

pendingInvalidationsContract('OutboxPendingInvalidations over PgOutboxStore', async () => {
  await sql.query('TRUNCATE data_outbox RESTART IDENTITY');
  const outbox = new PgOutboxStore(db, db, 200);
  return { pending: new OutboxPendingInvalidations(outbox, 20, 5), owe: outboxWrites(outbox, () => db.openSession()).owe, close: async () => undefined };
});
