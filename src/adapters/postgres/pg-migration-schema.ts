import type { PgSqlDatabase } from './pg-sql-database';

/**
 * The one advisory lock key that serializes migration runs across every instance sharing a
 * database (advisory locks are per database). Tests hold it to simulate another instance's run.
 */
export const MIGRATION_LOCK_KEY = '7236015412380451';
/** Serializes the bookkeeping DDL below: concurrent CREATE TABLE IF NOT EXISTS can still collide. */
const SCHEMA_LOCK_KEY = '7236015412380452';

const DDL = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version TEXT PRIMARY KEY,
  description TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  duration_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS migration_runs (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  dry_run BOOLEAN NOT NULL,
  target_version TEXT,
  steps JSONB NOT NULL,
  error JSONB,
  started_at TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS idx_migration_runs_running ON migration_runs (started_at) WHERE status = 'running';
`;

/**
 * The migrations' own bookkeeping tables, created before anything else touches them (they cannot be
 * a migration: they record the migrations). Created once per instance; a failure is retried on the
 * next call.
 */
export class PgMigrationSchema {
  private ready: Promise<void> | undefined;

  constructor(private readonly db: PgSqlDatabase) {}

  ensure(): Promise<void> {
    this.ready ??= this.create().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private create(): Promise<void> {
    return this.db.withClient(async (client) => {
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK_KEY]);
        await client.query(DDL);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}
