import { PgCdnCacheStore } from '../../src/adapters/postgres/pg-cdn-cache-store';
import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { cdnCacheStoreContract, type CacheRowView } from '../contract/cdn-cache-store.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
});
afterAll(async () => {
  await scratch.close();
});

// cdn_cache's TIMESTAMP columns hold UTC (see PgCdnCacheStore): read back as instants.
const CACHE_ROWS = `
SELECT file_id::text AS "fileId", cdn_provider AS provider, cdn_url AS url, cache_key AS "cacheKey", hit_count::int AS "hitCount",
       last_hit_at AT TIME ZONE 'UTC' AS "lastHitAt", expires_at AT TIME ZONE 'UTC' AS "expiresAt"
  FROM cdn_cache WHERE file_id = $1 ORDER BY cdn_provider, cache_key`;

cdnCacheStoreContract('PgCdnCacheStore', async () => {
  // One database for the whole file: each test starts without traffic, so admin-wide stats are exact.
  await db.withClient((client) => client.query('TRUNCATE cdn_traffic, cdn_cache'));
  return {
    store: new PgCdnCacheStore(db),
    files: new PgFileRepository(db),
    cacheRows: (fileId) => db.withClient(async (client) => (await client.query<CacheRowView>(CACHE_ROWS, [fileId])).rows),
  };
});
