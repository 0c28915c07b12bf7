import type { Backup, BackupManifestEntry, BackupProgress } from '../../domain/database/backup';

export type NewBackup = Pick<Backup, 'id' | 'label' | 'kind' | 'includeFilesManifest' | 'startedAt' | 'storage' | 'encrypted' | 'progress'>;

export interface BackupOutcome {
  completedAt: Date;
  sizeBytes: number;
  sha256: string;
  serverVersion: string;
  migrationVersion: string | null;
  filesInManifest: number | null;
  expiresAt: Date | null;
}

/**
 * The db_backups table and each backup's manifest. At most one backup is queued or running at a time,
 * enforced by the store itself (every instance shares it): `create` answers `in_progress` otherwise.
 */
export interface BackupRepository {
  create(backup: NewBackup): Promise<{ created: true } | { created: false; activeId: string | null }>;
  findById(id: string): Promise<Backup | null>;
  /** Newest first. */
  list(page: number, limit: number): Promise<{ backups: Backup[]; total: number }>;
  /** queued → running; false when the backup is no longer queued (failed by the reaper, deleted). */
  markRunning(id: string, progress: BackupProgress): Promise<boolean>;
  /** Also the heartbeat: a running backup whose progress stops being saved is presumed dead. */
  saveProgress(id: string, progress: BackupProgress): Promise<void>;
  /** running → completed; false when it was no longer running (failed meanwhile by the stale reaper). */
  complete(id: string, outcome: BackupOutcome, progress: BackupProgress): Promise<boolean>;
  /** Only a queued or running backup fails; a completed one is never downgraded. */
  fail(id: string, error: string, progress: BackupProgress): Promise<void>;
  /** Removes the row and its manifest. */
  remove(id: string): Promise<void>;
  /** Queued or running backups whose heartbeat is older than `before`. */
  stale(before: Date): Promise<Backup[]>;
  /**
   * Finished backups past their expiry, except the `keepMin` newest completed ones, which are kept
   * whatever their age; oldest first.
   */
  expired(now: Date, keepMin: number, limit: number): Promise<Backup[]>;
  lastCompleted(): Promise<Backup | null>;
  manifest(id: string, offset: number, limit: number): Promise<BackupManifestEntry[]>;
}
