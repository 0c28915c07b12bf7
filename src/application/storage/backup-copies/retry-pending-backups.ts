import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { Logger } from '../../ports/logger.port';

/** The part of ReplicateToBackup this needs. */
export interface BackupCopier {
  readonly enabled: boolean;
  readonly maxAttempts: number;
  run(file: StoredFile): Promise<unknown>;
}

export interface RetryPendingBackupsSettings {
  /** Files taken per run; the next run takes the next ones. */
  batchSize: number;
  /** Copies at once, so a backlog after an outage does not flood either provider. */
  concurrency: number;
}

/**
 * Picks up backup copies a stopped service left pending (or failed with attempts left) and runs them
 * again, a few at a time. Copies already running in this process are skipped by ReplicateToBackup;
 * a file deleted meanwhile is skipped there too.
 */
export class RetryPendingBackups {
  constructor(
    private readonly files: FileRepository,
    private readonly copier: BackupCopier,
    private readonly logger: Logger,
    private readonly settings: RetryPendingBackupsSettings = { batchSize: 100, concurrency: 4 },
  ) {}

  async execute(): Promise<{ retried: number }> {
    if (!this.copier.enabled) return { retried: 0 };
    const due = await this.files.backupsToRetry(this.copier.maxAttempts, this.settings.batchSize);
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const file = due[next++]!;
        try {
          await this.copier.run(file);
        } catch (error) {
          this.logger.error({ fileId: file.id, err: error instanceof Error ? error.message : String(error) }, 'backup retry failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.settings.concurrency, due.length) }, worker));
    if (due.length > 0) this.logger.info({ files: due.length }, 'retried pending backup copies');
    return { retried: due.length };
  }
}
