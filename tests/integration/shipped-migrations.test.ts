import { Client } from 'pg';
import { MigrateToLatest } from '../../src/application/database/migrations/migrate-to-latest';
import { FileMigrationSource } from '../../src/adapters/file-system/file-migration-source';
import { PgMigrationRunStore } from '../../src/adapters/postgres/pg-migration-run-store';
import { PgMigrationStore } from '../../src/adapters/postgres/pg-migration-store';
import type { PgSqlDatabase } from '../../src/adapters/postgres/pg-sql-database';
import { SHIPPED_MIGRATIONS_DIR } from '../support/migrations-dir';
import { testPgDatabase } from '../support/pg-database';
import { RecordingLogger } from '../support/recording-logger';
import { scratchDatabase } from '../support/scratch-database';

/** The shipped scripts on an empty PostgreSQL: the seeds' tables, indexes and the updated_at trigger. */
describe('shipped migrations', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let db: PgSqlDatabase;
  let client: Client;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    db = testPgDatabase(scratch.url);
    const migrate = new MigrateToLatest(
      new FileMigrationSource(SHIPPED_MIGRATIONS_DIR),
      new PgMigrationStore(db),
      new PgMigrationRunStore(db),
      { now: () => new Date() },
      new RecordingLogger(),
    );
    await migrate.execute();
    // A second start finds nothing to do.
    await migrate.execute();
    client = new Client({ connectionString: scratch.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await db.close();
    await scratch.drop();
  });

  const columns = async (table: string) =>
    (await client.query<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = $1', [table])).rows.map((r) => r.column_name);
  const indexes = async (table: string) =>
    (await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE tablename = $1', [table])).rows.map((r) => r.indexname);

  it('creates every table of the seeds', async () => {
    for (const table of ['users', 'projects', 'content_analysis', 'media_assets', 'files', 'file_metadata', 'file_transformations', 'cdn_cache', 'analysis_jobs']) {
      expect(await columns(table)).toContain('id');
    }
    expect(await columns('users')).toEqual(expect.arrayContaining(['username', 'subscription_type', 'mfa_enabled', 'deleted_at']));
    expect(await columns('projects')).toEqual(expect.arrayContaining(['visibility', 'settings', 'metadata', 'deleted_at']));
    expect(await columns('files')).toEqual(expect.arrayContaining(['checksum_sha256', 'storage_tier', 'is_public', 'metadata', 'expires_at']));
    expect(await columns('files')).toEqual(expect.arrayContaining(['backup_status', 'backup_provider', 'backup_attempts', 'backup_error']));
    expect(await columns('analysis_jobs')).toEqual(expect.arrayContaining(['progress_percent', 'error_message', 'started_at', 'completed_at']));
  });

  it('creates the seeds\' indexes', async () => {
    expect(await indexes('users')).toEqual(expect.arrayContaining(['idx_users_email', 'idx_users_role']));
    expect(await indexes('projects')).toEqual(expect.arrayContaining(['idx_projects_user_id', 'idx_projects_status', 'idx_projects_created_at']));
    expect(await indexes('files')).toEqual(
      expect.arrayContaining(['idx_files_user_id', 'idx_files_project_id', 'idx_files_type', 'idx_files_created_at', 'idx_files_checksum_md5', 'idx_files_user_checksum_sha256']),
    );
    expect(await indexes('cdn_cache')).toEqual(expect.arrayContaining(['idx_cdn_cache_file_id', 'idx_cdn_cache_key', 'idx_cdn_cache_provider']));
    expect(await indexes('analysis_jobs')).toEqual(expect.arrayContaining(['idx_analysis_jobs_project_id', 'idx_analysis_jobs_status']));
  });

  it('stores a file whose owner is not a local user (no foreign key on files.user_id), with empty metadata by default', async () => {
    const { rows } = await client.query(
      `INSERT INTO files (user_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256)
       VALUES (gen_random_uuid(), 'a.png', 'x/a.png', 'image', 'image/png', 10, repeat('0', 32), repeat('0', 64)) RETURNING metadata`,
    );
    expect(rows[0].metadata).toEqual({});
  });

  it('keeps updated_at current on update', async () => {
    const { rows } = await client.query(
      `INSERT INTO users (email, password_hash, updated_at) VALUES ('t@example.com', 'x', '2000-01-01') RETURNING id`,
    );
    await client.query(`UPDATE users SET first_name = 'T' WHERE id = $1`, [rows[0].id]);
    const after = await client.query(`SELECT updated_at > '2000-01-01'::timestamp AS moved FROM users WHERE id = $1`, [rows[0].id]);
    expect(after.rows[0].moved).toBe(true);
  });

  it('records one run with every shipped migration', async () => {
    const runs = await client.query(`SELECT status, jsonb_array_length(steps) AS n FROM migration_runs`);
    const applied = await client.query(`SELECT count(*)::int AS n FROM schema_migrations`);
    expect(runs.rows).toEqual([{ status: 'completed', n: applied.rows[0].n }]);
  });
});
