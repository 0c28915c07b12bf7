/** A database backup as the service records it (table db_backups). */
export type BackupKind = 'manual' | 'scheduled' | 'pre_restore';
export type BackupStatus = 'queued' | 'running' | 'completed' | 'failed';
export type BackupPhase = 'queued' | 'snapshot' | 'manifest' | 'dumping' | 'finishing' | 'completed' | 'failed';

export interface BackupProgress {
  phase: BackupPhase;
  tablesDone: number;
  tablesTotal: number;
  /** Archive bytes (before encryption) that have gone out to the object store. */
  bytesWritten: number;
}

export interface Backup {
  id: string;
  label: string | null;
  kind: BackupKind;
  status: BackupStatus;
  includeFilesManifest: boolean;
  startedAt: Date;
  completedAt: Date | null;
  /** Size and sha256 of the pg_dump archive itself (what a download yields), not of the encrypted object. */
  sizeBytes: number | null;
  sha256: string | null;
  serverVersion: string | null;
  migrationVersion: string | null;
  filesInManifest: number | null;
  storage: { provider: string; key: string };
  encrypted: boolean;
  expiresAt: Date | null;
  error: string | null;
  progress: BackupProgress;
}

export const ACTIVE_BACKUP_STATUSES: readonly BackupStatus[] = ['queued', 'running'];

export function isActive(backup: Pick<Backup, 'status'>): boolean {
  return ACTIVE_BACKUP_STATUSES.includes(backup.status);
}

/** Where a backup's archive lives in its object store. */
export function backupObjectKey(id: string): string {
  return `backups/db/${id}.pgdump.vbk`;
}

export function queuedProgress(): BackupProgress {
  return { phase: 'queued', tablesDone: 0, tablesTotal: 0, bytesWritten: 0 };
}

/** One row of a backup's file manifest: a files row as the backup's snapshot saw it. */
export interface BackupManifestEntry {
  fileId: string;
  key: string;
  storageProvider: string | null;
  sizeBytes: number;
  sha256: string;
}
