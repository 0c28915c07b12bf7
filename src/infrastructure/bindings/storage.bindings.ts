import type { Container } from 'inversify';
import type { Clock } from '../../application/ports/clock.port';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { ContentSniffer } from '../../application/ports/content-sniffer.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MetadataExtractor } from '../../application/ports/metadata-extractor.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import type { SqlDatabase } from '../../application/ports/sql-database.port';
import { CreateStoredFile, type BackupReplication, type FileCreatedHook } from '../../application/storage/uploads/create-stored-file';
import { DeleteFile } from '../../application/storage/files/delete-file';
import { GetFile } from '../../application/storage/files/get-file';
import { ListFiles } from '../../application/storage/files/list-files';
import { PurgeExpiredTrash } from '../../application/storage/files/purge-expired-trash';
import { RemoveStoredFile } from '../../application/storage/files/remove-stored-file';
import type { ReplicateToBackup } from '../../application/storage/backup-copies/replicate-to-backup';
import { RestoreFile } from '../../application/storage/files/restore-file';
import { RetryPendingBackups } from '../../application/storage/backup-copies/retry-pending-backups';
import { UpdateFile } from '../../application/storage/files/update-file';
import type { FileChangeListener } from '../../application/storage/files/file-change-listener';
import type { RequestCdnPurge } from '../../application/storage/cdn/request-cdn-purge';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import { UploadFile } from '../../application/storage/uploads/upload-file';
import type { RouteBuilder } from '../../adapters/http/route-builder';
import { storageFilesRoutes } from '../../adapters/http/routes/storage-files.routes';
import { storageUploadRoutes } from '../../adapters/http/routes/storage-upload.routes';
import { WorkerThreadContentHasher } from '../../adapters/hashing/worker-thread-content-hasher';
import { FileTypeSniffer } from '../../adapters/media/file-type-sniffer';
import { MediaMetadataExtractor } from '../../adapters/media/media-metadata-extractor';
import { PgFileRepository } from '../../adapters/postgres/pg-file-repository';
import { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { Config } from '../config';
import type { Bind, Get } from '../container';
import type { Lifecycle } from '../lifecycle';
import { startPeriodic, type PeriodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/**
 * Direct upload and the files API: the file repository, CreateStoredFile (shared with resumable and
 * tus uploads), the files use cases, and the periodic purge of expired trash. The primary ObjectStore
 * (and BackupObjectStore, when configured) are bound by the object-store bindings.
 */
export function bindStorageFiles(container: Container, bind: Bind, get: Get): void {
  const config = () => get<Config>(TOKENS.Config);
  const logger = () => get<Logger>(TOKENS.Logger);
  const clock = () => get<Clock>(TOKENS.Clock);
  const files = () => get<FileRepository>(TOKENS.FileRepository);
  const store = () => get<ObjectStore>(TOKENS.ObjectStore);
  const backup = () => (container.isBound(TOKENS.BackupObjectStore) ? get<ObjectStore | null>(TOKENS.BackupObjectStore) : null);

  bind<FileRepository>(TOKENS.FileRepository, () => {
    const db = get<SqlDatabase>(TOKENS.SqlDatabase);
    if (!(db instanceof PgSqlDatabase)) throw new Error('The file repository needs the PostgreSQL adapter (PgSqlDatabase) bound to SqlDatabase');
    return new PgFileRepository(db);
  });
  bind<ContentSniffer>(TOKENS.ContentSniffer, () => new FileTypeSniffer());
  bind<MetadataExtractor>(TOKENS.MetadataExtractor, () => new MediaMetadataExtractor());
  bind<CreateStoredFile>(TOKENS.CreateStoredFile, () => {
    const { maxFileSizeBytes, allowedMimeTypes, quotaBytes } = config().uploads;
    const replication = container.isBound(TOKENS.ReplicateToBackup) ? get<BackupReplication>(TOKENS.ReplicateToBackup) : null;
    const afterCreate = container.isBound(TOKENS.AutoTransform) ? get<FileCreatedHook>(TOKENS.AutoTransform) : null;
    return new CreateStoredFile(
      store(),
      files(),
      get<ContentSniffer>(TOKENS.ContentSniffer),
      get<MetadataExtractor>(TOKENS.MetadataExtractor),
      clock(),
      logger(),
      { maxFileSizeBytes, allowedMimeTypes, quotaBytes },
      replication,
      afterCreate,
    );
  });
  // md5 and sha256 off the event loop, on two threads: uploads hashed on it ran at ~0.4x a plain disk copy (docs/benchmarks.md, Storage).
  bind<ContentHasher>(TOKENS.ContentHasher, () => {
    const hasher = new WorkerThreadContentHasher();
    get<Lifecycle>(TOKENS.Lifecycle).onClose('hash threads', () => hasher.close());
    return hasher;
  });
  bind<UploadFile>(TOKENS.UploadFile, () =>
    new UploadFile(store(), get<CreateStoredFile>(TOKENS.CreateStoredFile), config().uploads.maxFileSizeBytes, logger(), get<ContentHasher>(TOKENS.ContentHasher)),
  );
  bind<RemoveStoredFile>(TOKENS.RemoveStoredFile, () => new RemoveStoredFile(files(), store(), backup(), logger()));
  bind<ListFiles>(TOKENS.ListFiles, () => new ListFiles(files(), config().uploads.quotaBytes));
  bind<GetFile>(TOKENS.GetFile, () => new GetFile(files()));
  // A change purges the file's CDN URLs (RequestCdnPurge, bound by the CDN bindings).
  const purgeOnChange: FileChangeListener = (file, change) => get<RequestCdnPurge>(TOKENS.RequestCdnPurge).afterChange(file, change);
  bind<UpdateFile>(TOKENS.UpdateFile, () => new UpdateFile(files(), purgeOnChange));
  bind<DeleteFile>(TOKENS.DeleteFile, () => new DeleteFile(files(), get<RemoveStoredFile>(TOKENS.RemoveStoredFile), clock(), purgeOnChange));
  bind<RestoreFile>(TOKENS.RestoreFile, () => new RestoreFile(files()));
  bind<PurgeExpiredTrash>(TOKENS.PurgeExpiredTrash, () => new PurgeExpiredTrash(files(), get<RemoveStoredFile>(TOKENS.RemoveStoredFile), clock(), logger()));
  bind<PeriodicTask>(TOKENS.TrashPurge, () => {
    const purge = get<PurgeExpiredTrash>(TOKENS.PurgeExpiredTrash);
    const task = startPeriodic('trash purge', config().uploads.trashPurgeIntervalMs, () => purge.execute(), logger());
    get<Lifecycle>(TOKENS.Lifecycle).onClose('trash purge', () => task.stop());
    return task;
  });
  bind<RetryPendingBackups>(TOKENS.RetryPendingBackups, () => new RetryPendingBackups(files(), get<ReplicateToBackup>(TOKENS.ReplicateToBackup), logger()));
  // Copies a restart left pending: once at start, then every interval; nothing to do without a backup store.
  bind<PeriodicTask | null>(TOKENS.BackupRetry, () => {
    if (!backup()) return null;
    const retry = get<RetryPendingBackups>(TOKENS.RetryPendingBackups);
    const task = startPeriodic('backup retry', config().uploads.backupRetryIntervalMs, () => retry.execute(), logger(), { runAtStart: true });
    get<Lifecycle>(TOKENS.Lifecycle).onClose('backup retry', () => task.stop());
    return task;
  });
}

/** Mounting the routes also starts the trash purge and the backup retry: they run wherever the API runs. */
export function mountStorageFileRoutes(routes: RouteBuilder, get: Get): void {
  const config = get<Config>(TOKENS.Config);
  get<PeriodicTask>(TOKENS.TrashPurge);
  get<PeriodicTask | null>(TOKENS.BackupRetry);
  storageUploadRoutes(routes, { uploadFile: get<UploadFile>(TOKENS.UploadFile), maxFileSizeBytes: config.uploads.maxFileSizeBytes, links: get<FileLinks>(TOKENS.FileLinks) });
  storageFilesRoutes(routes, {
    listFiles: get<ListFiles>(TOKENS.ListFiles),
    getFile: get<GetFile>(TOKENS.GetFile),
    updateFile: get<UpdateFile>(TOKENS.UpdateFile),
    deleteFile: get<DeleteFile>(TOKENS.DeleteFile),
    restoreFile: get<RestoreFile>(TOKENS.RestoreFile),
    links: get<FileLinks>(TOKENS.FileLinks),
  });
}
