/** The last database backup that completed, as /db/status and /health report it. */
export interface CompletedBackupSummary {
  id: string;
  kind: 'manual' | 'scheduled' | 'pre_restore';
  completedAt: Date;
  sizeBytes: number;
}

/**
 * What the operations views need to know of backups, without depending on how they are taken.
 * Bound to a "no backups" adapter until the backups capability binds its own.
 */
export interface BackupHistory {
  lastCompleted(): Promise<CompletedBackupSummary | null>;
}
