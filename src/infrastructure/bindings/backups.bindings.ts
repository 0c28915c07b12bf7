import type { ArchiveCipher } from '../../application/ports/archive-cipher.port';
import type { BackupHistory } from '../../application/ports/backup-history.port';
import type { BackupRepository } from '../../application/ports/backup-repository.port';
import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { Clock } from '../../application/ports/clock.port';
import type { DatabaseDumper } from '../../application/ports/database-dumper.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { JobQueue } from '../../application/ports/job-queue.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { RetainedObjects } from '../../application/ports/retained-objects.port';
import { ApplyBackupRetention } from '../../application/database/backups/apply-backup-retention';
import { BackupJob } from '../../application/database/backups/backup-job';
import { DeleteBackup } from '../../application/database/backups/delete-backup';
import { GetBackup } from '../../application/database/backups/get-backup';
import { ListBackups } from '../../application/database/backups/list-backups';
import { OpenBackupArchive } from '../../application/database/backups/open-backup-archive';
import { ReleaseTombstones } from '../../application/database/backups/release-tombstones';
import { RunBackup } from '../../application/database/backups/run-backup';
import { StartBackup } from '../../application/database/backups/start-backup';
import { BackupsProbe } from '../../application/health/backups-probe';
import { AesGcmArchiveCipher } from '../../adapters/crypto/aes-gcm-archive-cipher';
import { dbBackupsRoutes } from '../../adapters/http/routes/db-backups.routes';
import { PgBackupRepository } from '../../adapters/postgres/pg-backup-repository';
import { PgDumpDatabaseDumper } from '../../adapters/postgres/pg-dump-database-dumper';
import { PgRetainedObjects } from '../../adapters/postgres/pg-retained-objects';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgBossJobQueue } from '../../adapters/queue/pg-boss-job-queue';
import type { BackgroundTask, Capability } from '../background-task';
import { backupEncryptionKey } from '../backup-key';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/** A job still running after this long is expired by pg-boss (its ceiling is just under 24h). */
const BACKUP_JOB_TIMEOUT_SECONDS = 23 * 3_600;

/**
 * Database backups: pg_dump of the application database, encrypted (AES-256-GCM, chunked) into the
 * primary object store under backups/db/ (TOKENS.BackupArchiveStore: the primary store, swappable on
 * its own), run by a pg-boss queue any instance may work, plus retention and the tombstones that keep
 * deleted files' objects while a backup lists them.
 */
export function bindBackups(bind: Bind): void {
  bind(TOKENS.BackupArchiveStore, (store: ObjectStore): ObjectStore => store, [TOKENS.ObjectStore]);
  bind(TOKENS.BackupRepository, (db: PgSqlDatabase): BackupRepository => new PgBackupRepository(db), [TOKENS.PgSqlDatabase]);
  bind(TOKENS.RetainedObjects, (db: PgSqlDatabase): RetainedObjects => new PgRetainedObjects(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.DatabaseDumper,
    (config: Config): DatabaseDumper =>
      new PgDumpDatabaseDumper({ connectionString: config.databaseUrl ?? '', binDir: config.backups.pgBinDir, applicationName: config.serviceName, lockWaitTimeoutMs: config.backups.lockWaitTimeoutMs }),
    [TOKENS.Config],
  );
  bind(TOKENS.ArchiveCipher, (config: Config, logger: Logger): ArchiveCipher => new AesGcmArchiveCipher(backupEncryptionKey(config, logger)), [TOKENS.Config, TOKENS.Logger]);
  bind(
    TOKENS.BackupQueue,
    (config: Config, logger: Logger, lifecycle: Lifecycle): JobQueue => {
      const { schedule } = config.backups;
      const jobs = new PgBossJobQueue(
        {
          connectionString: config.databaseUrl ?? '',
          queue: 'database-backup',
          // A failed backup is recorded on its row, never retried: the next one is the operator's call (or the schedule's).
          retries: 0,
          timeoutSeconds: BACKUP_JOB_TIMEOUT_SECONDS,
          pollingIntervalSeconds: 1,
          schedule: schedule ? { cron: schedule, payload: { scheduled: true } } : null,
        },
        logger,
      );
      lifecycle.onClose('backup queue', () => jobs.close());
      return jobs;
    },
    [TOKENS.Config, TOKENS.Logger, TOKENS.Lifecycle],
  );
  bind(
    TOKENS.StartBackup,
    (backups: BackupRepository, dumper: DatabaseDumper, queue: JobQueue, cipher: ArchiveCipher, store: ObjectStore, clock: Clock) =>
      new StartBackup(backups, dumper, queue, cipher, store.provider, clock),
    [TOKENS.BackupRepository, TOKENS.DatabaseDumper, TOKENS.BackupQueue, TOKENS.ArchiveCipher, TOKENS.BackupArchiveStore, TOKENS.Clock],
  );
  bind(
    TOKENS.RunBackup,
    (config: Config, backups: BackupRepository, dumper: DatabaseDumper, store: ObjectStore, cipher: ArchiveCipher, clock: Clock, logger: Logger) =>
      new RunBackup(backups, dumper, store, cipher, clock, logger, {
        progressIntervalMs: config.backups.progressIntervalMs,
        retentionDays: config.backups.retentionDays === 0 ? null : config.backups.retentionDays,
      }),
    [TOKENS.Config, TOKENS.BackupRepository, TOKENS.DatabaseDumper, TOKENS.BackupArchiveStore, TOKENS.ArchiveCipher, TOKENS.Clock, TOKENS.Logger],
  );
  bind(TOKENS.ListBackups, (backups: BackupRepository) => new ListBackups(backups), [TOKENS.BackupRepository]);
  bind(TOKENS.GetBackup, (backups: BackupRepository) => new GetBackup(backups), [TOKENS.BackupRepository]);
  bind(
    TOKENS.OpenBackupArchive,
    (backups: BackupRepository, store: ObjectStore, cipher: ArchiveCipher) => new OpenBackupArchive(backups, store, cipher),
    [TOKENS.BackupRepository, TOKENS.BackupArchiveStore, TOKENS.ArchiveCipher],
  );
  // File objects live in the primary store (and its backup copy), whatever store holds the archives.
  bind(
    TOKENS.ReleaseTombstones,
    (retained: RetainedObjects, store: ObjectStore, copies: ObjectStore | null, logger: Logger) => new ReleaseTombstones(retained, store, copies, logger),
    [TOKENS.RetainedObjects, TOKENS.ObjectStore, TOKENS.BackupObjectStore, TOKENS.Logger],
  );
  bind(
    TOKENS.DeleteBackup,
    (backups: BackupRepository, store: ObjectStore, release: ReleaseTombstones) => new DeleteBackup(backups, store, release),
    [TOKENS.BackupRepository, TOKENS.BackupArchiveStore, TOKENS.ReleaseTombstones],
  );
  bind(
    TOKENS.ApplyBackupRetention,
    (config: Config, backups: BackupRepository, store: ObjectStore, release: ReleaseTombstones, clock: Clock, logger: Logger) =>
      new ApplyBackupRetention(backups, store, release, clock, logger, {
        keepMin: config.backups.keepMin,
        // By default ten missed progress saves, and never less than a minute: a busy server is not a dead worker.
        staleAfterMs: config.backups.staleAfterMs,
      }),
    [TOKENS.Config, TOKENS.BackupRepository, TOKENS.BackupArchiveStore, TOKENS.ReleaseTombstones, TOKENS.Clock, TOKENS.Logger],
  );
  bind(
    TOKENS.BackupsProbe,
    (config: Config, dumper: DatabaseDumper, history: BackupHistory, clock: Clock): DependencyProbe =>
      new BackupsProbe(dumper, history, clock, { scheduled: config.backups.schedule !== null, maxAgeHours: config.backups.maxAgeHours }),
    [TOKENS.Config, TOKENS.DatabaseDumper, TOKENS.BackupHistory, TOKENS.Clock],
  );
  bind(
    TOKENS.BackupTasks,
    (config: Config, queue: JobQueue, start: StartBackup, run: RunBackup, retention: ApplyBackupRetention, logger: Logger, audit: AuditTrail): BackgroundTask[] => {
      const job = new BackupJob(start, run, logger, audit);
      const tasks: BackgroundTask[] = [periodicTask('backup retention', config.backups.retentionIntervalMs, () => retention.execute(), logger, { exclusive: true })];
      // With BACKUP_WORKERS=0 this instance only queues backups; another one takes them (and sends the schedule's).
      if (config.backups.workers > 0) {
        tasks.unshift({
          name: 'backup worker',
          schedule: config.backups.schedule ? `queue worker x1, cron ${config.backups.schedule} (UTC)` : 'queue worker x1',
          start: () => queue.work((delivered) => job.execute(delivered), { concurrency: config.backups.workers }),
          stop: () => queue.close(),
        });
      }
      return tasks;
    },
    [TOKENS.Config, TOKENS.BackupQueue, TOKENS.StartBackup, TOKENS.RunBackup, TOKENS.ApplyBackupRetention, TOKENS.Logger, TOKENS.AuditTrail],
  );

  bind(
    TOKENS.BackupsModule,
    (config: Config, startBackup: StartBackup, listBackups: ListBackups, getBackup: GetBackup, openArchive: OpenBackupArchive, deleteBackup: DeleteBackup, tasks: BackgroundTask[]): Capability => ({
      mountRoutes(routes) {
        const { schedule, retentionDays, keepMin, maxAgeHours } = config.backups;
        dbBackupsRoutes(routes, { startBackup, listBackups, getBackup, openArchive, deleteBackup, policy: { schedule, retentionDays, keepMin, maxAgeHours } });
      },
      tasks,
    }),
    [TOKENS.Config, TOKENS.StartBackup, TOKENS.ListBackups, TOKENS.GetBackup, TOKENS.OpenBackupArchive, TOKENS.DeleteBackup, TOKENS.BackupTasks],
  );
}
