import type { BackupRepository } from '../../ports/backup-repository.port';
import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { ReleaseTombstones } from './release-tombstones';

export interface RetentionSettings {
  /** The newest completed backups always kept, whatever their age. */
  keepMin: number;
  /** A queued or running backup silent this long is a dead worker's: failed, its partial object removed. */
  staleAfterMs: number;
}

/**
 * The retention job: fails backups whose worker died, removes expired archives (never the `keepMin`
 * newest completed), then releases the objects of deleted files that no kept backup lists.
 */
export class ApplyBackupRetention {
  constructor(
    private readonly backups: BackupRepository,
    private readonly store: ObjectStore,
    private readonly release: ReleaseTombstones,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: RetentionSettings,
  ) {}

  async execute(): Promise<{ failed: number; removed: number; released: number }> {
    const now = this.clock.now();
    let failed = 0;
    for (const backup of await this.backups.stale(new Date(now.getTime() - this.settings.staleAfterMs))) {
      await this.store.delete(backup.storage.key);
      await this.backups.fail(backup.id, `no progress for ${Math.round(this.settings.staleAfterMs / 1000)}s: the instance running it stopped`, { ...backup.progress, phase: 'failed' });
      failed++;
    }
    let removed = 0;
    for (const backup of await this.backups.expired(now, this.settings.keepMin, 100)) {
      await this.store.delete(backup.storage.key);
      await this.backups.remove(backup.id);
      removed++;
    }
    const released = await this.release.execute();
    if (failed + removed + released > 0) this.logger.info({ failed, removed, released }, 'backup retention applied');
    return { failed, removed, released };
  }
}
