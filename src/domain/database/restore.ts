export type RestoreTarget = 'new_database' | 'in_place';
export type RestoreStatus = 'queued' | 'running' | 'completed' | 'failed';
export type RestorePhase = 'queued' | 'creating_database' | 'restoring' | 'reporting' | 'completed' | 'failed';

export interface RestoreProgress {
  phase: RestorePhase;
  bytes_read: number;
}

export interface RestoreReport {
  row_counts: Record<string, number>;
  files_in_manifest: number;
  files_restored: number;
  files_missing: number;
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
