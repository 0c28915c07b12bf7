import type { BackupHistory, CompletedBackupSummary } from '../../application/ports/backup-history.port';
import type { BackupRepository } from '../../application/ports/backup-repository.port';

/** /db/status's and /health's view of the last completed backup, read from db_backups. */
export class PgBackupHistory implements BackupHistory {
  constructor(private readonly backups: BackupRepository) {}

  async lastCompleted(): Promise<CompletedBackupSummary | null> {
    const last = await this.backups.lastCompleted();
    if (!last || !last.completedAt) return null;
    return { id: last.id, kind: last.kind, completedAt: last.completedAt, sizeBytes: last.sizeBytes ?? 0 };
  }
}
