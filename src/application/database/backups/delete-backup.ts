import { isActive } from '../../../domain/database/backup';
import { BackupInProgress, BackupNotFound } from '../../../domain/database/backup-errors';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { ReleaseTombstones } from './release-tombstones';

/**
 * Removes a finished backup: its archive first (a provider failure leaves the row, so it can be
 * retried), then its row and manifest, then the objects of deleted files only it still held.
 */
export class DeleteBackup {
  constructor(
    private readonly backups: BackupRepository,
    private readonly store: ObjectStore,
    private readonly release: ReleaseTombstones,
  ) {}

  async execute(id: string): Promise<void> {
    const backup = await this.backups.findById(id);
    if (!backup) throw new BackupNotFound(id);
    if (isActive(backup)) throw new BackupInProgress({ backup_id: id });
    await this.store.delete(backup.storage.key);
    await this.backups.remove(id);
    await this.release.execute();
  }
}
