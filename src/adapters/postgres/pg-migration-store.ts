import type { PoolClient } from 'pg';
import type { MigrationLock, MigrationStore } from '../../application/ports/migration-store.port';
import type { AppliedMigration } from '../../domain/database/migration';
import { translatePgError } from './pg-error-translator';
import type { AuditPayloads } from './pg-audit-log';
import { PgMigrationLock } from './pg-migration-lock';
import { MIGRATION_LOCK_KEY, PgMigrationSchema } from './pg-migration-schema';
import type { PgSqlDatabase } from './pg-sql-database';

interface AppliedRow {
  version: string;
  description: string;
  checksum: string;
  applied_at: Date;
  duration_ms: number;
}

/** `schema_migrations` plus the advisory lock, on the service's pool. */
export class PgMigrationStore implements MigrationStore {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly schema: PgMigrationSchema = new PgMigrationSchema(db),
    /** Where applied migrations' audit entries come from (PgAuditLog); null: not recorded. */
    private readonly audit: AuditPayloads | null = null,
  ) {}

  async applied(): Promise<AppliedMigration[]> {
    await this.schema.ensure();
    const { rows } = await this.db.withClient((c) =>
      c.query<AppliedRow>('SELECT version, description, checksum, applied_at, duration_ms FROM schema_migrations ORDER BY version'),
    );
    return rows.map((r) => ({ version: r.version, description: r.description, checksum: r.checksum, appliedAt: r.applied_at, durationMs: r.duration_ms }));
  }

  async tryLock(): Promise<MigrationLock | null> {
    await this.schema.ensure();
    const client = await this.connect();
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [MIGRATION_LOCK_KEY]);
      if (!rows[0]?.locked) {
        client.release();
        return null;
      }
      return await this.holding(client);
    } catch (error) {
      client.release(true);
      throw translatePgError(error);
    }
  }

  async lock(): Promise<MigrationLock> {
    await this.schema.ensure();
    const client = await this.connect();
    try {
      // Set first: waiting behind another instance's long run must not hit the pool's statement timeout.
      await client.query('SET statement_timeout = 0');
      await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      return new PgMigrationLock(client, this.audit);
    } catch (error) {
      client.release(true);
      throw translatePgError(error);
    }
  }

  /** A migration may legitimately run for minutes: the held session has no statement timeout. */
  private async holding(client: PoolClient): Promise<MigrationLock> {
    await client.query('SET statement_timeout = 0');
    return new PgMigrationLock(client, this.audit);
  }

  /** A client of its own, held for the whole run: the lock belongs to its session. */
  private async connect(): Promise<PoolClient> {
    try {
      return await this.db.pool.connect();
    } catch (error) {
      throw translatePgError(error);
    }
  }
}
