import type { Clock } from '../../application/ports/clock.port';
import type { FileContent } from '../../application/storage/encryption/file-content';
import type { ContentHasher } from '../../application/ports/content-hasher.port';
import type { ContentSniffer } from '../../application/ports/content-sniffer.port';
import type { FileRepository } from '../../application/ports/file-repository.port';
import type { Logger } from '../../application/ports/logger.port';
import type { MetadataExtractor } from '../../application/ports/metadata-extractor.port';
import type { ObjectStore } from '../../application/ports/object-store.port';
import { CreateStoredFile, type BackupReplication, type FileCreatedHook } from '../../application/storage/uploads/create-stored-file';
import { DeleteFile } from '../../application/storage/files/delete-file';
import { GetFile } from '../../application/storage/files/get-file';
import { ListFiles } from '../../application/storage/files/list-files';
import { PurgeExpiredTrash } from '../../application/storage/files/purge-expired-trash';
import { RemoveStoredFile } from '../../application/storage/files/remove-stored-file';
import type { RetainedObjects } from '../../application/ports/retained-objects.port';
import type { ReplicateToBackup } from '../../application/storage/backup-copies/replicate-to-backup';
import { RestoreFile } from '../../application/storage/files/restore-file';
import { RetryPendingBackups } from '../../application/storage/backup-copies/retry-pending-backups';
import { UpdateFile } from '../../application/storage/files/update-file';
import type { FileChangeListener } from '../../application/storage/files/file-change-listener';
import type { RequestCdnPurge } from '../../application/storage/cdn/request-cdn-purge';
import type { RenditionCache } from '../../application/storage/render/rendition-cache';
import type { FileLinks } from '../../adapters/http/presenters/storage-files.presenter';
import { UploadFile } from '../../application/storage/uploads/upload-file';
import { storageFilesRoutes } from '../../adapters/http/routes/storage-files.routes';
import { storageUploadRoutes } from '../../adapters/http/routes/storage-upload.routes';
import { WorkerThreadContentHasher } from '../../adapters/hashing/worker-thread-content-hasher';
import { FileTypeSniffer } from '../../adapters/media/file-type-sniffer';
import { MediaMetadataExtractor } from '../../adapters/media/media-metadata-extractor';
import { VideoPosterPlaceholderExtractor } from '../../adapters/media/video-poster-placeholder-extractor';
import { TempScratchFolders } from '../../adapters/file-system/temp-scratch-folders';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import { CombinedMetadataExtractor, SharpPlaceholderExtractor } from '../../adapters/image/sharp-placeholder-extractor';
import type { PgAuditLog } from '../../adapters/postgres/pg-audit-log';
import { PgFileRepository } from '../../adapters/postgres/pg-file-repository';
import type { PgSqlDatabase } from '../../adapters/postgres/pg-sql-database';
import type { BackgroundTask, Capability } from '../background-task';
import type { Bind } from '../binder';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import { periodicTask } from '../periodic-task';
import { TOKENS } from '../tokens';

/**
 * Direct upload and the files API: the file repository, CreateStoredFile (shared with resumable and
 * tus uploads), the files use cases, the purge of expired trash and the retry of backup copies a
 * restart left pending. The object stores are bound by the object-store bindings.
 */
export function bindStorageFiles(bind: Bind): void {
  // A file's create / update / trash / restore / delete commits with its audit entry (issue 11).
  bind(
    TOKENS.FileRepository,
    (db: PgSqlDatabase, config: Config, audit: PgAuditLog): FileRepository => new PgFileRepository(db, config.audit.enabled ? audit : null),
    [TOKENS.PgSqlDatabase, TOKENS.Config, TOKENS.AuditLog],
  );
  bind(TOKENS.ContentSniffer, (): ContentSniffer => new FileTypeSniffer(), []);
  // Placeholders (BlurHash, dominant colour) of images and of videos' poster frames beside their
  // dimensions and EXIF (issue 15). Posters only with native ffmpeg: ffmpeg.wasm (7x slower) would
  // hold every video upload's answer for seconds.
  bind(
    TOKENS.MetadataExtractor,
    (media: MediaTransformer): MetadataExtractor =>
      new CombinedMetadataExtractor([
        new MediaMetadataExtractor(),
        new SharpPlaceholderExtractor(),
        ...(media.name === 'native-ffmpeg' ? [new VideoPosterPlaceholderExtractor(media, new TempScratchFolders())] : []),
      ]),
    [TOKENS.MediaTransformer],
  );
  bind(
    TOKENS.CreateStoredFile,
    (config: Config, store: ObjectStore, files: FileRepository, sniffer: ContentSniffer, extractor: MetadataExtractor, clock: Clock, logger: Logger, replication: BackupReplication, afterCreate: FileCreatedHook, content: FileContent) => {
      const { maxFileSizeBytes, allowedMimeTypes, quotaBytes } = config.uploads;
      return new CreateStoredFile(store, files, sniffer, extractor, clock, logger, { maxFileSizeBytes, allowedMimeTypes, quotaBytes }, replication, afterCreate, content);
    },
    [TOKENS.Config, TOKENS.ObjectStore, TOKENS.FileRepository, TOKENS.ContentSniffer, TOKENS.MetadataExtractor, TOKENS.Clock, TOKENS.Logger, TOKENS.ReplicateToBackup, TOKENS.AutoTransform, TOKENS.FileContent],
  );
  // md5 and sha256 off the event loop, on two threads: uploads hashed on it ran at ~0.4x a plain disk copy (docs/benchmarks.md, Storage).
  bind(
    TOKENS.HashThreads,
    (lifecycle: Lifecycle) => {
      const hasher = new WorkerThreadContentHasher();
      lifecycle.onClose('hash threads', () => hasher.close());
      return hasher;
    },
    [TOKENS.Lifecycle],
  );
  bind(TOKENS.ContentHasher, (threads: WorkerThreadContentHasher): ContentHasher => threads, [TOKENS.HashThreads]);
  bind(
    TOKENS.UploadFile,
    (config: Config, store: ObjectStore, create: CreateStoredFile, logger: Logger, hasher: ContentHasher, content: FileContent) =>
      new UploadFile(store, create, config.uploads.maxFileSizeBytes, logger, hasher, content),
    [TOKENS.Config, TOKENS.ObjectStore, TOKENS.CreateStoredFile, TOKENS.Logger, TOKENS.ContentHasher, TOKENS.FileContent],
  );
  bind(
    TOKENS.RemoveStoredFile,
    // Objects that database backups list outlive their rows (TOKENS.RetainedObjects, the backups module).
    (files: FileRepository, store: ObjectStore, backup: ObjectStore | null, logger: Logger, retained: RetainedObjects) => new RemoveStoredFile(files, store, backup, logger, retained),
    [TOKENS.FileRepository, TOKENS.ObjectStore, TOKENS.BackupObjectStore, TOKENS.Logger, TOKENS.RetainedObjects],
  );
  bind(TOKENS.ListFiles, (config: Config, files: FileRepository) => new ListFiles(files, config.uploads.quotaBytes), [TOKENS.Config, TOKENS.FileRepository]);
  bind(TOKENS.GetFile, (files: FileRepository) => new GetFile(files), [TOKENS.FileRepository]);
  // A change purges the file's CDN URLs.
  const purgeOnChange = (purge: RequestCdnPurge): FileChangeListener => (file, change) => purge.afterChange(file, change);
  bind(TOKENS.UpdateFile, (files: FileRepository, purge: RequestCdnPurge) => new UpdateFile(files, purgeOnChange(purge)), [TOKENS.FileRepository, TOKENS.RequestCdnPurge]);
  // Trashed or deleted, a file's renditions go too (issue 15): they are derived, and produced again after a restore.
  bind(
    TOKENS.DeleteFile,
    (files: FileRepository, remove: RemoveStoredFile, clock: Clock, purge: RequestCdnPurge, renditions: RenditionCache, logger: Logger) =>
      new DeleteFile(files, remove, clock, async (file, change) => {
        await renditions.forgetFile(file.id).catch((error: unknown) =>
          logger.warn({ file_id: file.id, err: { message: (error as Error).message } }, 'could not remove the renditions of a deleted file'),
        );
        await purgeOnChange(purge)(file, change);
      }),
    [TOKENS.FileRepository, TOKENS.RemoveStoredFile, TOKENS.Clock, TOKENS.RequestCdnPurge, TOKENS.RenditionCache, TOKENS.Logger],
  );
  bind(TOKENS.RestoreFile, (files: FileRepository) => new RestoreFile(files), [TOKENS.FileRepository]);
  bind(
    TOKENS.PurgeExpiredTrash,
    (files: FileRepository, remove: RemoveStoredFile, clock: Clock, logger: Logger) => new PurgeExpiredTrash(files, remove, clock, logger),
    [TOKENS.FileRepository, TOKENS.RemoveStoredFile, TOKENS.Clock, TOKENS.Logger],
  );
  bind(
    TOKENS.TrashPurge,
    (config: Config, purge: PurgeExpiredTrash, logger: Logger) => periodicTask('trash purge', config.uploads.trashPurgeIntervalMs, () => purge.execute(), logger, { exclusive: true }),
    [TOKENS.Config, TOKENS.PurgeExpiredTrash, TOKENS.Logger],
  );
  bind(
    TOKENS.RetryPendingBackups,
    (files: FileRepository, replicate: ReplicateToBackup, logger: Logger) => new RetryPendingBackups(files, replicate, logger),
    [TOKENS.FileRepository, TOKENS.ReplicateToBackup, TOKENS.Logger],
  );
  // Copies a restart left pending: once at start, then every interval; nothing to do without a backup store.
  bind(
    TOKENS.BackupRetry,
    (config: Config, backup: ObjectStore | null, retry: RetryPendingBackups, logger: Logger): BackgroundTask | null =>
      backup ? periodicTask('backup retry', config.uploads.backupRetryIntervalMs, () => retry.execute(), logger, { runAtStart: true, exclusive: true }) : null,
    [TOKENS.Config, TOKENS.BackupObjectStore, TOKENS.RetryPendingBackups, TOKENS.Logger],
  );

  bind(
    TOKENS.StorageFilesModule,
    (config: Config, uploadFile: UploadFile, links: FileLinks, listFiles: ListFiles, getFile: GetFile, updateFile: UpdateFile, deleteFile: DeleteFile, restoreFile: RestoreFile, trashPurge: BackgroundTask, backupRetry: BackgroundTask | null): Capability => ({
      mountRoutes(routes) {
        storageUploadRoutes(routes, { uploadFile, maxFileSizeBytes: config.uploads.maxFileSizeBytes, links });
        storageFilesRoutes(routes, { listFiles, getFile, updateFile, deleteFile, restoreFile, links });
      },
      tasks: backupRetry ? [trashPurge, backupRetry] : [trashPurge],
    }),
    [TOKENS.Config, TOKENS.UploadFile, TOKENS.FileLinks, TOKENS.ListFiles, TOKENS.GetFile, TOKENS.UpdateFile, TOKENS.DeleteFile, TOKENS.RestoreFile, TOKENS.TrashPurge, TOKENS.BackupRetry],
  );
}
