import type { NewAuditEntry } from '../../../domain/audit/audit-entry';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { RetainedObjects } from '../../ports/retained-objects.port';

/**
 * Deletes a file for good: its objects first (primary, and the backup copy when a backup store is
 * configured), then the row. A provider failure leaves the row, so the deletion can be retried.
 * An object a kept database backup lists (or any, while a backup runs) outlives its row: it is
 * tombstoned, and the backup retention job deletes it once no kept backup lists it.
 */
export class RemoveStoredFile {
  constructor(
    private readonly files: FileRepository,
    private readonly store: ObjectStore,
    private readonly backup: ObjectStore | null,
    private readonly logger?: Logger,
    private readonly retained: RetainedObjects | null = null,
  ) {}

  /** `audit`: the entries recording the deletion, committed with the row's removal. */
  async execute(file: StoredFile, audit: readonly NewAuditEntry[] = []): Promise<void> {
    if (this.retained && (await this.retained.retainIfListed({ fileId: file.id, key: file.filePath, storageProvider: file.storageProvider }))) {
      await this.files.remove(file.id, audit);
      return;
    }
    await this.store.delete(file.filePath);
    if (this.backup) await this.backup.delete(file.filePath);
    await this.files.remove(file.id, audit);
    // A backup copy in flight that landed between the delete above and the row's removal saw the row
    // still there, so it kept its copy: delete once more. Best effort, since the file is already gone.
    if (this.backup) {
      await this.backup.delete(file.filePath).catch((error: unknown) =>
        this.logger?.warn({ fileId: file.id, err: error instanceof Error ? error.message : String(error) }, 'could not re-check the backup copy of a deleted file'),
      );
    }
  }
}
