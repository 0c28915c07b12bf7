import type { ContentCipher } from '../../application/ports/content-cipher.port';
import type { DependencyProbe } from '../../application/ports/dependency-probe.port';
import type { FileEncryptionRepository } from '../../application/ports/file-encryption-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { RetainedObjects } from '../../application/ports/retained-objects.port';
import { EncryptionProbe } from '../../application/health/encryption-probe';
import type { ReplicateToBackup } from '../../application/storage/backup-copies/replicate-to-backup';
import { EncryptCompletedUpload } from '../../application/storage/encryption/encrypt-completed-upload';
import { EncryptionJobRunner } from '../../application/storage/encryption/encryption-job-runner';
import { FileContent } from '../../application/storage/encryption/file-content';
import { GetEncryptionStatus } from '../../application/storage/encryption/get-encryption-status';
import { StartEncryptionJob } from '../../application/storage/encryption/start-encryption-job';
import { SegmentedAesGcmCipher } from '../../adapters/crypto/segmented-aes-gcm-cipher';
import { fileEncryptionRoutes } from '../../adapters/http/routes/file-encryption.routes';
import { PgFileEncryptionRepository } from '../../adapters/postgres/pg-file-encryption-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { ExclusiveLocks } from '../../application/ports/exclusive-locks.port';
import { every, type BackgroundTask, type Capability } from '../background-task';
import { startPeriodic, type PeriodicTask } from '../periodic-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { TOKENS } from '../tokens';

/**
 * Files encrypted at rest (README "Encryption at rest"): the cipher over the configured keyring (null
 * without one: files are stored in clear), the FileContent every upload, transformation and read goes
 * through, the admin endpoints and the job runner, whose unfinished jobs resume when the service starts.
 */
export function bindFileEncryption(bind: Bind): void {
  bind(
    TOKENS.ContentCipher,
    (config: Config): ContentCipher | null => (config.fileEncryption.keyring ? new SegmentedAesGcmCipher(config.fileEncryption.keyring) : null),
    [TOKENS.Config],
  );
  bind(TOKENS.FileContent, (store: ObjectStore, cipher: ContentCipher | null, logger: Logger) => new FileContent(store, cipher, logger), [TOKENS.ObjectStore, TOKENS.ContentCipher, TOKENS.Logger]);
  bind(TOKENS.EncryptCompletedUpload, (store: ObjectStore, content: FileContent) => new EncryptCompletedUpload(store, content), [TOKENS.ObjectStore, TOKENS.FileContent]);
  bind(TOKENS.FileEncryptionRepository, (db: PgSqlDatabase): FileEncryptionRepository => new PgFileEncryptionRepository(db), [TOKENS.PgSqlDatabase]);
  bind(
    TOKENS.EncryptionJobRunner,
    (repo: FileEncryptionRepository, store: ObjectStore, content: FileContent, cipher: ContentCipher | null, backup: ObjectStore | null, replicate: ReplicateToBackup, logger: Logger, retained: RetainedObjects, locks: ExclusiveLocks) =>
      cipher ? new EncryptionJobRunner(repo, store, content, cipher, backup, replicate, logger, retained, locks) : null,
    [TOKENS.FileEncryptionRepository, TOKENS.ObjectStore, TOKENS.FileContent, TOKENS.ContentCipher, TOKENS.BackupObjectStore, TOKENS.ReplicateToBackup, TOKENS.Logger, TOKENS.RetainedObjects, TOKENS.ExclusiveLocks],
  );
  bind(
    TOKENS.EncryptionProbe,
    (repo: FileEncryptionRepository, cipher: ContentCipher | null): DependencyProbe => new EncryptionProbe(repo, cipher),
    [TOKENS.FileEncryptionRepository, TOKENS.ContentCipher],
  );
  bind(
    TOKENS.FileEncryptionModule,
    (repo: FileEncryptionRepository, cipher: ContentCipher | null, runner: EncryptionJobRunner | null, logger: Logger): Capability => {
      const startJob = new StartEncryptionJob(runner);
      const getStatus = new GetEncryptionStatus(repo, cipher);
      return {
        mountRoutes(routes) {
          fileEncryptionRoutes(routes, { startJob, getStatus });
        },
        // A job whose process stopped or died is resumed by the next pass (each job runs under its kind's lock).
        tasks: runner ? [encryptionJobsTask(runner, logger)] : [],
      };
    },
    [TOKENS.FileEncryptionRepository, TOKENS.ContentCipher, TOKENS.EncryptionJobRunner, TOKENS.Logger],
  );
}

const RESUME_INTERVAL_MS = 30_000;

function encryptionJobsTask(runner: EncryptionJobRunner, logger: Logger): BackgroundTask {
  let pass: PeriodicTask | null = null;
  return {
    name: 'encryption jobs',
    schedule: `resumes unfinished rotation / encrypt-existing jobs at start and ${every(RESUME_INTERVAL_MS)}`,
    exclusive: true,
    async start() {
      await runner.resume();
      pass ??= startPeriodic('encryption jobs', RESUME_INTERVAL_MS, () => runner.resume(), logger);
    },
    async stop() {
      const running = pass;
      pass = null;
      await running?.stop();
      await runner.stop();
    },
  };
}
