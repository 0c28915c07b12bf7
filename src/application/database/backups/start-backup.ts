import { randomUUID } from 'node:crypto';
import { backupObjectKey, queuedProgress, type Backup, type BackupKind } from '../../../domain/database/backup';
import { BackupInProgress, BackupToolUnavailable } from '../../../domain/database/backup-errors';
import type { ArchiveCipher } from '../../ports/archive-cipher.port';
import type { BackupRepository } from '../../ports/backup-repository.port';
import type { Clock } from '../../ports/clock.port';
import type { DatabaseDumper } from '../../ports/database-dumper.port';
import type { JobQueue } from '../../ports/job-queue.port';

export interface StartBackupInput {
  label: string | null;
  includeFilesManifest: boolean;
  kind: BackupKind;
}

/**
 * Records a queued backup and hands it to the durable queue, so any instance's worker may take it.
 * The store refuses a second active backup (every instance shares it), hence 409 rather than a race.
 */
export class StartBackup {
  constructor(
    private readonly backups: BackupRepository,
    private readonly dumper: DatabaseDumper,
    private readonly queue: JobQueue,
    private readonly cipher: ArchiveCipher,
    private readonly storageProvider: string,
    private readonly clock: Clock,
  ) {}

  async execute(input: StartBackupInput): Promise<Backup> {
    const backup = await this.create(input);
    try {
      await this.queue.enqueue({ id: backup.id, payload: { backupId: backup.id } });
    } catch (error) {
      await this.backups.fail(backup.id, 'could not be queued', backup.progress);
      throw error;
    }
    return backup;
  }

  /** The queued row alone: for a caller that runs the backup itself (the scheduled job). */
  async create(input: StartBackupInput): Promise<Backup> {
    const tools = await this.dumper.tools();
    if (!tools.available) {
      throw new BackupToolUnavailable(tools.reason, { package: tools.package, server_major_version: tools.serverMajorVersion ?? undefined, found_version: tools.foundVersion });
    }
    const id = randomUUID();
    const created = await this.backups.create({
      id,
      label: input.label,
      kind: input.kind,
      includeFilesManifest: input.includeFilesManifest,
      startedAt: this.clock.now(),
      storage: { provider: this.storageProvider, key: backupObjectKey(id) },
      encrypted: this.cipher.encrypts,
      progress: queuedProgress(),
    });
    if (!created.created) throw new BackupInProgress(created.activeId ? { backup_id: created.activeId } : {});
    const backup = await this.backups.findById(id);
    if (!backup) throw new Error(`backup ${id} vanished after it was recorded`);
    return backup;
  }
}
