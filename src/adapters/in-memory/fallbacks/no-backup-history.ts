import type { BackupHistory, CompletedBackupSummary } from '../../../application/ports/backup-history.port';

/** Until the backups capability binds its own history: no backup has ever completed. */
export class NoBackupHistory implements BackupHistory {
  async lastCompleted(): Promise<CompletedBackupSummary | null> {
    return null;
  }
}
