import type { PoolClient } from 'pg';
import type { MigrationLock } from '../../application/ports/migration-store.port';
import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { AuditPayloads } from './pg-audit-log';
import { MigrationFailed } from '../../domain/database/errors';
import type { AppliedMigration, MigrationScript } from '../../domain/database/migration';
import { DatabaseTimeout, DatabaseUnavailable } from '../../domain/shared/errors';
import { translatePgError } from './pg-error-translator';
import { MIGRATION_LOCK_KEY } from './pg-migration-schema';

/**
 * The session-level advisory lock, held by the dedicated client it was taken on. Every migration
 * runs on that client, so it runs under the lock.
 */
export class PgMigrationLock implements MigrationLock {
  private released = false;

  constructor(
    private readonly client: PoolClient,
    /** The audit_append() payload of entries (PgAuditLog); null: the trail is off. */
    private readonly audit: AuditPayloads | null = null,
  ) {}

  /** The script, its bookkeeping row and its audit entries commit together or not at all. */
  async apply(script: MigrationScript, audit: readonly NewAuditEntry[] = []): Promise<AppliedMigration> {
    if (this.released) throw new Error('The migration lock was released');
    const started = performance.now();
    try {
      await this.client.query('BEGIN');
      // Without parameters pg uses the simple protocol, which accepts a whole script of statements.
      await this.client.query(script.sql);
      const durationMs = Math.round(performance.now() - started);
      const { rows } = await this.client.query<{ applied_at: Date }>(
        `INSERT INTO schema_migrations (version, description, checksum, applied_at, duration_ms)
         VALUES ($1, $2, $3, clock_timestamp(), $4) RETURNING applied_at`,
        [script.version, script.description, script.checksum, durationMs],
      );
      if (this.audit && audit.length > 0) {
        // Asked after the script: the migration that creates the trail records itself.
        const { rows: trail } = await this.client.query<{ exists: boolean }>("SELECT to_regprocedure('audit_append(jsonb)') IS NOT NULL AS exists");
        if (trail[0]?.exists) await this.client.query('SELECT audit_append($1::jsonb)', [this.audit.payload(audit)]);
      }
      await this.client.query('COMMIT');
      return { version: script.version, description: script.description, checksum: script.checksum, appliedAt: rows[0]!.applied_at, durationMs };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw migrationError(script.version, error);
    }
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    } catch {
      // Destroying the connection below ends the session, and the lock with it.
    } finally {
      // Never back to the pool: the session changed statement_timeout, and must not carry the lock.
      this.client.release(true);
    }
  }
}

/** A lost or timed-out connection stays what it is; anything the script did wrong is MigrationFailed. */
function migrationError(version: string, error: unknown): Error {
  const translated = translatePgError(error);
  if (translated instanceof DatabaseUnavailable || translated instanceof DatabaseTimeout) return translated;
  const e = error as { message?: string; code?: string };
  const reason = e?.code ? `${e.message ?? 'error'} (SQLSTATE ${e.code})` : (e?.message ?? String(error));
  return new MigrationFailed(version, reason);
}
