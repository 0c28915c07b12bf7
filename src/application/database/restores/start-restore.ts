import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DATABASE_NAME, type Restore, type RestoreProgress, type RestoreReport } from '../../../domain/database/restore';
import { RestoreInProgress, RestoreTargetExists } from '../../../domain/database/restore-errors';
import { ValidationFailed } from '../../../domain/shared/errors';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { Clock } from '../../ports/clock.port';
import type { DatabaseRestorer } from '../../ports/database-restorer.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { RestoreRepository } from '../../ports/restore-repository.port';
import type { OpenBackupArchive } from '../backups/open-backup-archive';
import { compareManifest } from './compare-manifest';

export interface StartRestoreInput {
  backupId: string;
  target: 'new_database';
  databaseName: string;
}

/**
 * Restores a completed backup into a new database on the same server, for inspection; the live
 * database is never touched. The archive is read through once in the request (decrypted, its size
 * and sha256 checked) so a tampered one is refused with 422 before anything is created; then the
 * restore runs in the background of this instance and is followed on its db_restores row.
 */
export class StartRestore {
  constructor(
    private readonly openArchive: OpenBackupArchive,
    private readonly backups: BackupRepository,
    private readonly restores: RestoreRepository,
    private readonly restorer: DatabaseRestorer,
    private readonly files: ObjectStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** How often progress (the heartbeat) is saved while pg_restore runs. */
    private readonly progressIntervalMs = 1_000,
  ) {}

  async execute(input: StartRestoreInput): Promise<{ restore: Restore; done: Promise<void> }> {
    if (!DATABASE_NAME.test(input.databaseName)) {
      throw new ValidationFailed('database_name must be a lower-case identifier (a-z, 0-9, _; at most 63 characters)', [{ path: 'database_name', message: 'not a plain identifier' }]);
    }
    if (await this.restorer.databaseExists(input.databaseName)) throw new RestoreTargetExists(input.databaseName);
    // Fails with BackupNotFound / BackupInProgress / BackupCorrupt before anything is recorded or created.
    await drain((await this.openArchive.execute(input.backupId)).archive);

    const id = randomUUID();
    const progress: RestoreProgress = { phase: 'queued', bytes_read: 0 };
    const created = await this.restores.create({ id, backupId: input.backupId, target: input.target, databaseName: input.databaseName, startedAt: this.clock.now(), progress });
    if (!created.created) throw new RestoreInProgress(created.activeId ? { restore_id: created.activeId } : {});
    const restore = await this.restores.findById(id);
    if (!restore) throw new Error(`restore ${id} vanished after it was recorded`);
    const done = this.run(restore).catch((error: unknown) => this.logger.error({ err: error, restore_id: id }, 'database restore failed'));
    return { restore, done };
  }

  private async run(restore: Restore): Promise<void> {
    const progress: RestoreProgress = { phase: 'creating_database', bytes_read: 0 };
    try {
      await this.restores.saveProgress(restore.id, progress, 'running');
      await this.restorer.createDatabase(restore.databaseName);
      progress.phase = 'restoring';
      await this.restores.saveProgress(restore.id, progress);
      const { archive } = await this.openArchive.execute(restore.backupId);
      archive.on('data', (chunk: Buffer) => (progress.bytes_read += chunk.length));
      const heartbeat = setInterval(() => {
        this.restores.saveProgress(restore.id, progress).catch((error: unknown) => this.logger.warn({ err: error, restore_id: restore.id }, 'restore progress not saved'));
      }, this.progressIntervalMs);
      try {
        await this.restorer.restoreInto(restore.databaseName, archive);
      } finally {
        clearInterval(heartbeat);
      }
      progress.phase = 'reporting';
      await this.restores.saveProgress(restore.id, progress);
      const report = await this.report(restore);
      progress.phase = 'completed';
      await this.restores.complete(restore.id, report, progress, this.clock.now());
    } catch (error) {
      progress.phase = 'failed';
      await this.restores.fail(restore.id, error instanceof Error ? error.message : String(error), progress, this.clock.now());
      throw error;
    }
  }

  /** Row counts in the restored database, and the backup's manifest against its rows and the objects. */
  private async report(restore: Restore): Promise<RestoreReport> {
    const rowCounts = await this.restorer.rowCounts(restore.databaseName);
    return { row_counts: rowCounts, ...(await compareManifest(this.backups, this.restorer, this.files, restore.backupId, restore.databaseName)) };
  }
}

/** Reads a stream through, for the checks that fail it only at its end. */
export async function drain(stream: Readable): Promise<void> {
  for await (const _chunk of stream) {
    // read through: the check comes at the end
  }
}
