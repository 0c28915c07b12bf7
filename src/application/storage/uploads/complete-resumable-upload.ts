import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Role } from '../../../domain/auth/caller';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { UploadSession } from '../../../domain/storage/upload-session';
import type { Logger } from '../../ports/logger.port';
import type { ChunkedUploads, ObjectStore } from '../../ports/object-store.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { NewFileRequest, StagedObject } from './create-stored-file';
import { HashingMeter } from './hashing-meter';
import type { ContentHasher } from '../../ports/content-hasher.port';

/** The step a direct upload ends with (CreateStoredFile): the same checks, the same row. */
export interface FileCreation {
  execute(request: NewFileRequest, staged: StagedObject): Promise<StoredFile>;
}

/**
 * Assembles a session whose chunks have all arrived (the caller holds it in `completing`), measures
 * the object (size, md5, sha256, leading bytes) and hands it to the file creation step. A provider
 * failure while assembling puts the session back to `uploading` (re-send the last chunk to retry);
 * a refused file (type, quota, duplicate, checksum) leaves no object and marks the session failed.
 */
export class CompleteResumableUpload {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly store: ObjectStore,
    private readonly chunked: ChunkedUploads,
    private readonly createFile: FileCreation,
    private readonly logger: Logger,
    private readonly hasher: ContentHasher,
  ) {}

  async execute(session: UploadSession, owner: { userId: string; role: Role }): Promise<StoredFile> {
    try {
      await this.chunked.complete(session.key, session.uploadId, session.totalChunks, session.mimeType);
    } catch (error) {
      await this.sessions.transition(session.id, 'completing', 'uploading');
      throw error;
    }
    try {
      const staged = await this.measure(session.key);
      if (staged.sizeBytes !== session.sizeBytes) {
        throw new ChecksumMismatch('The assembled file does not have the announced size', { file_size: session.sizeBytes, received_bytes: staged.sizeBytes });
      }
      const { is_public: isPublic, ...metadata } = session.metadata;
      const file = await this.createFile.execute(
        {
          fileId: session.fileId,
          owner,
          originalName: session.filename,
          declaredMimeType: session.mimeType,
          expectedMd5: session.checksumMd5,
          projectId: session.projectId,
          isPublic: isPublic === true,
          metadata,
        },
        { key: session.key, ...staged },
      );
      await this.sessions.transition(session.id, 'completing', 'completed');
      return file;
    } catch (error) {
      await this.sessions.transition(session.id, 'completing', 'failed');
      await this.store.delete(session.key).catch((cause: unknown) => this.logger.error({ key: session.key, err: String(cause) }, 'could not delete a refused upload'));
      throw error;
    }
  }

  private async measure(key: string): Promise<Omit<StagedObject, 'key'>> {
    const meter = new HashingMeter(Number.MAX_SAFE_INTEGER, this.hasher);
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    await pipeline(await this.store.get(key), meter, sink);
    return meter.result();
  }
}
