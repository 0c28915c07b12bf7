import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { RetainedObjects } from '../../ports/retained-objects.port';

/**
 * Deletes the objects of deleted files that no kept backup lists any more (primary, and the backup
 * copy when there is a backup store), then their tombstones. One that fails stays for the next run.
 */
export class ReleaseTombstones {
  constructor(
    private readonly retained: RetainedObjects,
    private readonly store: ObjectStore,
    private readonly backupCopies: ObjectStore | null,
    private readonly logger: Logger,
    private readonly batch = 200,
  ) {}

  async execute(): Promise<number> {
    let released = 0;
    for (const tombstone of await this.retained.releasable(this.batch)) {
      try {
        await this.store.delete(tombstone.key);
        if (this.backupCopies) await this.backupCopies.delete(tombstone.key);
        await this.retained.forget(tombstone.key);
        released++;
      } catch (error) {
        this.logger.warn({ fileId: tombstone.fileId, err: error instanceof Error ? error.message : String(error) }, 'could not release a retained object');
      }
    }
    return released;
  }
}
