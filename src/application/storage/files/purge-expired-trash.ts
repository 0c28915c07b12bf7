import type { Clock } from '../../ports/clock.port';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Logger } from '../../ports/logger.port';
import type { RemoveStoredFile } from './remove-stored-file';

const BATCH = 100;

/**
 * Deletes, objects and rows, the trashed files whose 30-day recovery deadline has passed. A file whose
 * objects cannot be deleted now is logged and left for the next run; the others go on.
 */
export class PurgeExpiredTrash {
  constructor(
    private readonly files: FileRepository,
    private readonly remove: RemoveStoredFile,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async execute(): Promise<{ purged: number; failed: number }> {
    let purged = 0;
    let failed = 0;
    const skipped = new Set<string>();
    for (;;) {
      const batch = (await this.files.expiredTrash(this.clock.now(), BATCH + skipped.size)).filter((f) => !skipped.has(f.id));
      if (batch.length === 0) return { purged, failed };
      for (const file of batch) {
        try {
          await this.remove.execute(file, [
            { action: 'file.delete_permanent', targetType: 'file', targetId: file.id, outcome: 'success', details: { reason: 'trash_expired', owner: file.userId, storage_freed_bytes: file.sizeBytes } },
          ]);
          purged++;
        } catch (error) {
          skipped.add(file.id);
          failed++;
          this.logger.warn({ fileId: file.id, err: error instanceof Error ? { message: error.message } : String(error) }, 'could not purge an expired trashed file; next run retries');
        }
      }
    }
  }
}
