import type { Clock } from '../../application/ports/clock.port';
import type { FileContent } from '../../application/storage/encryption/file-content';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ObjectStore, ObjectUrlSigner } from '../../application/ports/object-store.port';
import type { UploadStaging } from '../../application/ports/upload-staging.port';
import { WorkerThreadResumableHasher } from '../../adapters/hashing/worker-thread-resumable-hasher';
import type { WorkerThreadContentHasher } from '../../adapters/hashing/worker-thread-content-hasher';
import type { ResumableHasher } from '../../application/ports/resumable-hasher.port';
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository.port';
import { CleanExpiredUploads } from '../../application/storage/uploads/clean-expired-uploads';
import { CompleteResumableUpload } from '../../application/storage/uploads/complete-resumable-upload';
import type { EncryptCompletedUpload } from '../../application/storage/encryption/encrypt-completed-upload';
import type { CreateStoredFile } from '../../application/storage/uploads/create-stored-file';
import { DownloadFile } from '../../application/storage/delivery/download-file';
import { DownloadSignature } from '../../application/storage/delivery/download-signature';
import { GetResumableUpload } from '../../application/storage/uploads/get-resumable-upload';
import { InitResumableUpload } from '../../application/storage/uploads/init-resumable-upload';
import { OpenSignedDownload } from '../../application/storage/delivery/open-signed-download';
import { readableFile } from '../../application/storage/delivery/readable-file';
import { StreamFile } from '../../application/storage/delivery/stream-file';
import { TerminateUpload } from '../../application/storage/uploads/terminate-upload';
import { TusAppend } from '../../application/storage/uploads/tus-append';
import { UploadChunk } from '../../application/storage/uploads/upload-chunk';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import { resumableUploadRoutes } from '../../adapters/http/routes/resumable-upload.routes';
import { storageDownloadRoutes } from '../../adapters/http/routes/storage-download.routes';
import { storageStreamRoutes } from '../../adapters/http/routes/storage-stream.routes';
import { tusRoutes } from '../../adapters/http/routes/tus.routes';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgUploadSessionRepository } from '../../adapters/postgres/pg-upload-session-repository';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import { periodicTask } from '../periodic-task';
import { resolveSigningSecret } from '../signing-secret';
import { TOKENS } from '../tokens';

/** tus PATCH bodies are cut into chunks of this size; a client chunkSize below it cannot advance. */
const TUS_CHUNK_SIZE = 1024 * 1024;

/**
 * Downloads (signed URLs), Range streaming and resumable uploads, over the object stores and the file
 * repository bound by the object-store and storage bindings, and the cleanup of expired upload sessions.
 */
export function bindStorageDelivery(bind: Bind): void {
  const signature = (config: Config) => new DownloadSignature(resolveSigningSecret(config));

  bind(TOKENS.UploadSessionRepository, (db: PgSqlDatabase): UploadSessionRepository => new PgUploadSessionRepository(db), [TOKENS.PgSqlDatabase]);
  bind(TOKENS.StreamFile, (store: ObjectStore, content: FileContent) => new StreamFile(store, content), [TOKENS.ObjectStore, TOKENS.FileContent]);
  bind(
    TOKENS.DownloadFile,
    (config: Config, files: FileRepository, signer: ObjectUrlSigner | null, clock: Clock) =>
      new DownloadFile(files, signer, signature(config), clock, config.delivery.signedUrlExpiresSeconds),
    [TOKENS.Config, TOKENS.FileRepository, TOKENS.ObjectUrlSigner, TOKENS.Clock],
  );
  bind(
    TOKENS.OpenSignedDownload,
    (config: Config, files: FileRepository, clock: Clock) => new OpenSignedDownload(files, signature(config), clock),
    [TOKENS.Config, TOKENS.FileRepository, TOKENS.Clock],
  );
  bind(
    TOKENS.InitResumableUpload,
    (config: Config, sessions: UploadSessionRepository, chunked: UploadStaging, clock: Clock) =>
      new InitResumableUpload(sessions, chunked, clock, {
        maxFileSizeBytes: config.uploads.maxFileSizeBytes,
        sessionTtlSeconds: config.resumable.sessionTtlSeconds,
      }),
    [TOKENS.Config, TOKENS.UploadSessionRepository, TOKENS.UploadStaging, TOKENS.Clock],
  );
  // md5 and sha256 of tus and seed uploads off the event loop, on the direct uploads' two hash threads
  // (hash-wasm there, its state saved with the session): on the event loop they capped tus
  // (docs/benchmarks.md, resumable hashing on threads).
  bind(TOKENS.ResumableHasher, (threads: WorkerThreadContentHasher): ResumableHasher => new WorkerThreadResumableHasher(threads), [TOKENS.HashThreads]);
  bind(
    TOKENS.CompleteResumableUpload,
    (sessions: UploadSessionRepository, store: ObjectStore, chunked: UploadStaging, create: CreateStoredFile, logger: Logger, hasher: ResumableHasher, seal: EncryptCompletedUpload) =>
      new CompleteResumableUpload(sessions, store, chunked, create, logger, hasher, seal),
    [TOKENS.UploadSessionRepository, TOKENS.ObjectStore, TOKENS.UploadStaging, TOKENS.CreateStoredFile, TOKENS.Logger, TOKENS.ResumableHasher, TOKENS.EncryptCompletedUpload],
  );
  bind(
    TOKENS.UploadChunk,
    (sessions: UploadSessionRepository, chunked: UploadStaging, hasher: ResumableHasher, complete: CompleteResumableUpload, clock: Clock) =>
      new UploadChunk(sessions, chunked, hasher, complete, clock),
    [TOKENS.UploadSessionRepository, TOKENS.UploadStaging, TOKENS.ResumableHasher, TOKENS.CompleteResumableUpload, TOKENS.Clock],
  );
  bind(
    TOKENS.TusAppend,
    (sessions: UploadSessionRepository, staging: UploadStaging, hasher: ResumableHasher, complete: CompleteResumableUpload, clock: Clock) =>
      new TusAppend(sessions, staging, hasher, complete, clock),
    [TOKENS.UploadSessionRepository, TOKENS.UploadStaging, TOKENS.ResumableHasher, TOKENS.CompleteResumableUpload, TOKENS.Clock],
  );
  bind(
    TOKENS.TerminateUpload,
    (sessions: UploadSessionRepository, chunked: UploadStaging, clock: Clock) => new TerminateUpload(sessions, chunked, clock),
    [TOKENS.UploadSessionRepository, TOKENS.UploadStaging, TOKENS.Clock],
  );
  bind(TOKENS.GetResumableUpload, (sessions: UploadSessionRepository, clock: Clock) => new GetResumableUpload(sessions, clock), [TOKENS.UploadSessionRepository, TOKENS.Clock]);
  bind(
    TOKENS.CleanExpiredUploads,
    (sessions: UploadSessionRepository, chunked: UploadStaging, clock: Clock, logger: Logger) => new CleanExpiredUploads(sessions, chunked, clock, logger),
    [TOKENS.UploadSessionRepository, TOKENS.UploadStaging, TOKENS.Clock, TOKENS.Logger],
  );
  bind(
    TOKENS.UploadCleanup,
    (config: Config, clean: CleanExpiredUploads, logger: Logger) => periodicTask('expired upload cleanup', config.resumable.cleanupIntervalMs, () => clean.execute(), logger, { exclusive: true }),
    [TOKENS.Config, TOKENS.CleanExpiredUploads, TOKENS.Logger],
  );

  bind(
    TOKENS.StorageDeliveryModule,
    (
      config: Config,
      files: FileRepository,
      stream: StreamFile,
      download: DownloadFile,
      openSigned: OpenSignedDownload,
      init: InitResumableUpload,
      uploadChunk: UploadChunk,
      status: GetResumableUpload,
      append: TusAppend,
      terminate: TerminateUpload,
      clock: Clock,
      links: FileLinks,
      cleanup: BackgroundTask,
    ): Capability => ({
      mountRoutes(routes) {
        storageStreamRoutes(routes, { stream, readable: (id, caller) => readableFile(files, id, caller) });
        storageDownloadRoutes(routes, { download, openSigned, stream });
        resumableUploadRoutes(routes, { init, uploadChunk, status, clock, publicBaseUrl: config.publicBaseUrl, links });
        tusRoutes(routes, { create: init, append, terminate, maxFileSizeBytes: config.uploads.maxFileSizeBytes, chunkSize: TUS_CHUNK_SIZE });
      },
      tasks: [cleanup],
    }),
    [
      TOKENS.Config,
      TOKENS.FileRepository,
      TOKENS.StreamFile,
      TOKENS.DownloadFile,
      TOKENS.OpenSignedDownload,
      TOKENS.InitResumableUpload,
      TOKENS.UploadChunk,
      TOKENS.GetResumableUpload,
      TOKENS.TusAppend,
      TOKENS.TerminateUpload,
      TOKENS.Clock,
      TOKENS.FileLinks,
      TOKENS.UploadCleanup,
    ],
  );
}
