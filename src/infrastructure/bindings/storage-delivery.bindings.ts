import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.port';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type { ChunkedUploads, ObjectStore, ObjectUrlSigner } from '../../application/ports/object-store.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import type { UploadSessionRepository } from '../../application/ports/upload-session-repository.port';
import { CleanExpiredUploads } from '../../application/storage/uploads/clean-expired-uploads';
import { CompleteResumableUpload } from '../../application/storage/uploads/complete-resumable-upload';
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
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { resumableUploadRoutes } from '../../adapters/http/routes/resumable-upload.routes';
import { storageDownloadRoutes } from '../../adapters/http/routes/storage-download.routes';
import { storageStreamRoutes } from '../../adapters/http/routes/storage-stream.routes';
import { tusRoutes } from '../../adapters/http/routes/tus.routes';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import { PgUploadSessionRepository } from '../../adapters/postgres/pg-upload-session-repository';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { startPeriodic, type PeriodicTask } from '../periodic-task';
import { resolveSigningSecret } from '../signing-secret';
import { TOKENS } from '../tokens';

/** tus PATCH bodies are cut into chunks of this size; a client chunkSize below it cannot advance. */
const TUS_CHUNK_SIZE = 1024 * 1024;

/**
 * Downloads (signed URLs), Range streaming and resumable uploads, over the object stores and the file
 * repository bound by the object-store and storage bindings (looked up when first needed).
 */
export function bindStorageDelivery(container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const clock = () => get<Clock>(TOKENS.Clock);
  const logger = () => get<Logger>(TOKENS.Logger);
  const files = () => get<FileRepository>(TOKENS.FileRepository);
  const store = () => get<ObjectStore>(TOKENS.ObjectStore);
  const chunked = () => get<ChunkedUploads>(TOKENS.ChunkedUploads);
  const sessions = () => get<UploadSessionRepository>(TOKENS.UploadSessionRepository);
  const signature = () => new DownloadSignature(resolveSigningSecret(config()));
  const providerSigner = () => (container.isBound(TOKENS.ObjectUrlSigner) ? get<ObjectUrlSigner>(TOKENS.ObjectUrlSigner) : null);

  bind<UploadSessionRepository>(TOKENS.UploadSessionRepository, () => {
    const db = get<SqlDatabase>(TOKENS.SqlDatabase);
    if (!(db instanceof PgSqlDatabase)) throw new Error('Upload sessions need the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
    return new PgUploadSessionRepository(db);
  });
  bind<StreamFile>(TOKENS.StreamFile, () => new StreamFile(store()));
  bind<DownloadFile>(TOKENS.DownloadFile, () => new DownloadFile(files(), providerSigner(), signature(), clock(), config().delivery.signedUrlExpiresSeconds));
  bind<OpenSignedDownload>(TOKENS.OpenSignedDownload, () => new OpenSignedDownload(files(), signature(), clock()));
  bind<InitResumableUpload>(TOKENS.InitResumableUpload, () =>
    new InitResumableUpload(sessions(), chunked(), clock(), {
      maxFileSizeBytes: config().uploads.maxFileSizeBytes,
      sessionTtlSeconds: config().resumable.sessionTtlSeconds,
    }),
  );
  bind<CompleteResumableUpload>(TOKENS.CompleteResumableUpload, () =>
    new CompleteResumableUpload(sessions(), store(), chunked(), get<CreateStoredFile>(TOKENS.CreateStoredFile), logger(), get<ContentHasher>(TOKENS.ContentHasher)),
  );
  bind<UploadChunk>(TOKENS.UploadChunk, () => new UploadChunk(sessions(), chunked(), get<CompleteResumableUpload>(TOKENS.CompleteResumableUpload), clock()));
  bind<TusAppend>(TOKENS.TusAppend, () => new TusAppend(sessions(), get<UploadChunk>(TOKENS.UploadChunk), clock()));
  bind<TerminateUpload>(TOKENS.TerminateUpload, () => new TerminateUpload(sessions(), chunked(), clock()));
  bind<GetResumableUpload>(TOKENS.GetResumableUpload, () => new GetResumableUpload(sessions(), clock()));
  bind<CleanExpiredUploads>(TOKENS.CleanExpiredUploads, () => new CleanExpiredUploads(sessions(), chunked(), clock(), logger()));
  bind<PeriodicTask>(TOKENS.UploadCleanup, () => {
    const clean = get<CleanExpiredUploads>(TOKENS.CleanExpiredUploads);
    const task = startPeriodic('expired upload cleanup', config().resumable.cleanupIntervalMs, () => clean.execute(), logger());
    get<Lifecycle>(TOKENS.Lifecycle).onClose('expired upload cleanup', () => task.stop());
    return task;
  });
}

/** Mounting the routes also starts the expired-session cleanup: it runs wherever the API runs. */
export function mountStorageDeliveryRoutes(routes: RouteBuilder, get: Get): void {
  const config = get<Config>(TOKENS.Config);
  const files = get<FileRepository>(TOKENS.FileRepository);
  const stream = get<StreamFile>(TOKENS.StreamFile);
  get<PeriodicTask>(TOKENS.UploadCleanup);
  storageStreamRoutes(routes, { stream, readable: (id, caller) => readableFile(files, id, caller) });
  storageDownloadRoutes(routes, { download: get<DownloadFile>(TOKENS.DownloadFile), openSigned: get<OpenSignedDownload>(TOKENS.OpenSignedDownload), stream });
  resumableUploadRoutes(routes, {
    init: get<InitResumableUpload>(TOKENS.InitResumableUpload),
    uploadChunk: get<UploadChunk>(TOKENS.UploadChunk),
    status: get<GetResumableUpload>(TOKENS.GetResumableUpload),
    clock: get<Clock>(TOKENS.Clock),
    publicBaseUrl: config.publicBaseUrl,
    links: get<FileLinks>(TOKENS.FileLinks),
  });
  tusRoutes(routes, {
    create: get<InitResumableUpload>(TOKENS.InitResumableUpload),
    append: get<TusAppend>(TOKENS.TusAppend),
    terminate: get<TerminateUpload>(TOKENS.TerminateUpload),
    maxFileSizeBytes: config.uploads.maxFileSizeBytes,
    chunkSize: TUS_CHUNK_SIZE,
  });
}
