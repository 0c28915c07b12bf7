import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { AppliedMigration, MigrationScript } from '../../domain/database/migration';

/**
 * The right to change the schema, held until released. Applying goes through it, so nothing can
 * migrate without holding the lock.
 */
export interface MigrationLock {
  /**
   * Runs the script and records it as applied, atomically: either both happen or neither does.
   * Throws MigrationFailed when the script fails (the database keeps its previous version).
   * `audit`: entries written to the audit trail in the same transaction, once the trail exists (a
   * migration creates it: the ones before have none) and unless it is switched off.
   */
  apply(script: MigrationScript, audit?: readonly NewAuditEntry[]): Promise<AppliedMigration>;
  /** Idempotent. */
  release(): Promise<void>;
}

/** The database being migrated: what was applied to it, and the lock that serializes runs across instances. */
export interface MigrationStore {
  /** In version order. */
  applied(): Promise<AppliedMigration[]>;
  /** The lock if it is free now, null if another run holds it. Never waits. */
  tryLock(): Promise<MigrationLock | null>;
  /** Waits for the lock (used at start, where queueing behind another instance is right). */
  lock(): Promise<MigrationLock>;
}
