import { PgCdnCacheStore } from '../../src/adapters/postgres/pg-cdn-cache-store';
import { PgFileRepository } from '../../src/adapters/postgres/pg-file-repository';
import { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migratedScratchDatabase, type MigratedScratchDatabase } from '../support/migrated-scratch-database';
import { RecordingLogger } from '../support/recording-logger';
import { cdnCacheStoreContract, type CacheRowView } from '../contract/cdn-cache-store.contract';

let scratch: MigratedScratchDatabase;
let db: PgSqlDatabase;
// Hourly buckets are UTC hours: a session whose zone is not a whole number of hours from UTC must see the same.
let offsetZone: PgSqlDatabase;

beforeAll(async () => {
  scratch = await migratedScratchDatabase();
  db = scratch.db;
  offsetZone = new PgSqlDatabase(
    { connectionString: scratch.url, min: 0, max: 2, idleTimeoutMs: 1_000, connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, applicationName: 'vb-test', sessionOptions: '-c TimeZone=Asia/Kolkata' },
    new RecordingLogger(),
  );
});
afterAll(async () => {
  await offsetZone.close();
  await scratch.close();
});

// cdn_cache's TIMESTAMP columns hold UTC (see PgCdnCacheStore): read back as instants.
const CACHE_ROWS = `
SELECT file_id::text AS "fileId", cdn_provider AS provider, cdn_url AS url, cache_key AS "cacheKey", hit_count::int AS "hitCount",
       last_hit_at AT TIME ZONE 'UTC' AS "lastHitAt", expires_at AT TIME ZONE 'UTC' AS "expiresAt"
  FROM cdn_cache WHERE file_id = $1 ORDER BY cdn_provider, cache_key`;

function harness(session: () => PgSqlDatabase) {
  return async () => {
    // One database for the whole file: each test starts without traffic, so admin-wide stats are exact.
    await db.withClient((client) => client.query('TRUNCATE cdn_traffic, cdn_cache'));
    return {
      store: new PgCdnCacheStore(session()),
      files: new PgFileRepository(db),
      cacheRows: (fileId: string) => db.withClient(async (client) => (await client.query<CacheRowView>(CACHE_ROWS, [fileId])).rows),
    };
  };
}

cdnCacheStoreContract('PgCdnCacheStore', harness(() => db));
cdnCacheStoreContract('PgCdnCacheStore (session time zone Asia/Kolkata, UTC+05:30)', harness(() => offsetZone));
