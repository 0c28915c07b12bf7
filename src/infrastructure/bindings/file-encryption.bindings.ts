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
import type { Capability } from '../background-task';
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
    (repo: FileEncryptionRepository, store: ObjectStore, content: FileContent, cipher: ContentCipher | null, backup: ObjectStore | null, replicate: ReplicateToBackup, logger: Logger, retained: RetainedObjects) =>
      cipher ? new EncryptionJobRunner(repo, store, content, cipher, backup, replicate, logger, retained) : null,
    [TOKENS.FileEncryptionRepository, TOKENS.ObjectStore, TOKENS.FileContent, TOKENS.ContentCipher, TOKENS.BackupObjectStore, TOKENS.ReplicateToBackup, TOKENS.Logger, TOKENS.RetainedObjects],
  );
  bind(
    TOKENS.EncryptionProbe,
    (repo: FileEncryptionRepository, cipher: ContentCipher | null): DependencyProbe => new EncryptionProbe(repo, cipher),
    [TOKENS.FileEncryptionRepository, TOKENS.ContentCipher],
  );
  bind(
    TOKENS.FileEncryptionModule,
    (repo: FileEncryptionRepository, cipher: ContentCipher | null, runner: EncryptionJobRunner | null): Capability => {
      const startJob = new StartEncryptionJob(runner);
      const getStatus = new GetEncryptionStatus(repo, cipher);
      return {
        mountRoutes(routes) {
          fileEncryptionRoutes(routes, { startJob, getStatus });
        },
        tasks: runner
          ? [{ name: 'encryption jobs', schedule: 'resumes unfinished rotation / encrypt-existing jobs at start', start: () => runner.resume(), stop: () => runner.stop() }]
          : [],
      };
    },
    [TOKENS.FileEncryptionRepository, TOKENS.ContentCipher, TOKENS.EncryptionJobRunner],
  );
}
