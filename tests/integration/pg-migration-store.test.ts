import { Client } from 'pg';
import { MIGRATION_LOCK_KEY } from '../../src/adapters/postgres/pg-migration-schema';
import { PgMigrationStore } from '../../src/adapters/postgres/pg-migration-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { migrationStoreContract } from '../contract/migration-store.contract';
import { aMigrationScript } from '../support/migration-builders';
import { testPgDatabase } from '../support/pg-database';
import { scratchDatabase } from '../support/scratch-database';

const failingSql = (version: string) => `CREATE TABLE first_${version} (id INTEGER);\nSELECT * FROM no_such_table_${version};`;

migrationStoreContract('PostgreSQL', async () => {
  const scratch = await scratchDatabase();
  const db = testPgDatabase(scratch.url);
  return {
    store: new PgMigrationStore(db),
    script: (version) => aMigrationScript(version).build(),
    failingScript: (version) => aMigrationScript(version).withSql(failingSql(version)).build(),
    close: async () => {
      await db.close();
      await scratch.drop();
    },
  };
});

describe('PgMigrationStore on PostgreSQL', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: PgSqlDatabase;
  let store: PgMigrationStore;
  let outside: Client;
  const exists = async (table: string) => (await outside.query('SELECT to_regclass($1) IS NOT NULL AS e', [table])).rows[0].e as boolean;

  beforeEach(async () => {
    scratch = await scratchDatabase();
    db = testPgDatabase(scratch.url);
    store = new PgMigrationStore(db);
    outside = new Client({ connectionString: scratch.url });
    await outside.connect();
  });
  afterEach(async () => {
    await outside.end();
    await db.close();
    await scratch.drop();
  });

  it('creates its bookkeeping tables on an empty database', async () => {
    expect(await exists('schema_migrations')).toBe(false);
    await store.applied();
    expect(await exists('schema_migrations')).toBe(true);
    expect(await exists('migration_runs')).toBe(true);
  });

  it('applies every statement of a script and records it in the same transaction', async () => {
    const lock = (await store.tryLock())!;
    await lock.apply(aMigrationScript('20240115_001').withSql('CREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\nINSERT INTO a VALUES (1);').build());
    await lock.release();
    expect(await exists('a')).toBe(true);
    expect(await exists('b')).toBe(true);
    const rows = (await outside.query('SELECT version, checksum, duration_ms FROM schema_migrations')).rows;
    expect(rows).toEqual([{ version: '20240115_001', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), duration_ms: expect.any(Number) }]);
  });

  it('rolls back the statements a failing script had already run', async () => {
    const lock = (await store.tryLock())!;
    const error = await lock.apply(aMigrationScript('20240116_001').withSql(failingSql('20240116_001')).build()).catch((e: unknown) => e);
    await lock.release();
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', reason: expect.stringContaining('no_such_table_20240116_001') });
    expect(await exists('first_20240116_001')).toBe(false);
    expect((await outside.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0].n).toBe(0);
  });

  it('holds the advisory lock that other sessions see, and frees it on release', async () => {
    const lock = (await store.tryLock())!;
    expect((await outside.query('SELECT pg_try_advisory_lock($1::bigint) AS got', [MIGRATION_LOCK_KEY])).rows[0].got).toBe(false);
    await lock.release();
    expect((await outside.query('SELECT pg_try_advisory_lock($1::bigint) AS got', [MIGRATION_LOCK_KEY])).rows[0].got).toBe(true);
    await outside.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
  });

  it('finds the lock taken when another session holds the key', async () => {
    await outside.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    expect(await store.tryLock()).toBeNull();
    await outside.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    const lock = await store.tryLock();
    expect(lock).not.toBeNull();
    await lock!.release();
  });
});
