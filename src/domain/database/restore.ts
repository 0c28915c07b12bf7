export type RestoreTarget = 'new_database' | 'in_place';
export type RestoreStatus = 'queued' | 'running' | 'completed' | 'failed';
/** new_database: creating_database → restoring → reporting; in_place: pre_restore_backup → restoring → verifying. */
export type RestorePhase = 'queued' | 'creating_database' | 'pre_restore_backup' | 'restoring' | 'reporting' | 'verifying' | 'completed' | 'failed';

export interface RestoreProgress {
  phase: RestorePhase;
  bytes_read: number;
}

export interface RestoreReport {
  row_counts: Record<string, number>;
  files_in_manifest: number;
  files_restored: number;
  files_missing: number;
  /** in_place only: what the restore did to the live database beyond the rows. */
  in_place?: InPlaceReport;
}

/** The code's migrations against the restored schema_migrations. */
export interface MigrationCheck {
  code_latest: string | null;
  database_latest: string | null;
  /** Known to the code, not recorded in the restored database: run POST /api/v1/migrations/run. */
  pending: string[];
}

export interface InPlaceReport {
  pre_restore_backup_id: string;
  /** Rows per table of the live database just before pg_restore (row_counts is after). */
  row_counts_before: Record<string, number>;
  migrations: MigrationCheck;
  /** Every table's cached reads made unreachable; false when the cache store could not be told. */
  cache_invalidated: boolean;
  /** Tombstones dropped because their file row came back (the object is live again). */
  tombstones_revived: number;
}

export interface Restore {
  id: string;
  backupId: string;
  target: RestoreTarget;
  databaseName: string;
  status: RestoreStatus;
  progress: RestoreProgress;
  report: RestoreReport | null;
  error: string | null;
  startedAt: Date;
  completedAt: Date | null;
}

/**
 * A database name the restore may create: a plain lower-case identifier PostgreSQL takes unquoted
 * (at most 63 bytes), so it is never interpolated as anything else in CREATE DATABASE.
 */
export const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
