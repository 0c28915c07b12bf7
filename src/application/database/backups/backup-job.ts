import { BackupInProgress } from '../../../domain/database/backup-errors';
import type { AuditTrail } from '../../ports/audit-trail.port';
import type { QueuedJob } from '../../ports/job-queue.port';
import type { Logger } from '../../ports/logger.port';
import type { RunBackup } from './run-backup';
import type { StartBackup } from './start-backup';

/**
 * What the backup queue delivers: a manual backup already recorded (`backupId`), or an occurrence of
 * BACKUP_SCHEDULE (`scheduled`), recorded here; an occurrence that finds a backup running is skipped.
 */
export class BackupJob {
  constructor(
    private readonly start: StartBackup,
    private readonly run: RunBackup,
    private readonly logger: Logger,
    /** Records the start of a scheduled backup (a manual one is recorded by its route), as the system. */
    private readonly audit: AuditTrail | null = null,
  ) {}

  async execute(job: QueuedJob): Promise<void> {
    const backupId = job.payload.backupId;
    if (typeof backupId === 'string') return this.run.execute(backupId);
    if (job.payload.scheduled !== true) return;
    try {
      const backup = await this.start.create({ label: 'scheduled', includeFilesManifest: true, kind: 'scheduled' });
      await this.audit
        ?.record([{ action: 'backup.start', targetType: 'backup', targetId: backup.id, outcome: 'success', details: { kind: 'scheduled' }, actor: { sub: 'system', role: 'system' } }])
        .catch((error: unknown) => this.logger.error({ err: error instanceof Error ? error.message : String(error), backupId: backup.id }, 'audit entry of a scheduled backup not recorded'));
      await this.run.execute(backup.id);
    } catch (error) {
      if (error instanceof BackupInProgress) {
        this.logger.warn({ activeBackup: error.details.backup_id }, 'scheduled backup skipped: another backup is running');
        return;
      }
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'scheduled backup could not start');
    }
  }
}
