import type { Readable } from 'node:stream';
import type { Role } from '../../../domain/auth/caller';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { UploadSession } from '../../../domain/storage/upload-session';
import { SNIFF_BYTES } from '../../ports/content-sniffer.port';
import type { EncryptCompletedUpload } from '../encryption/encrypt-completed-upload';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { ResumableHasher } from '../../ports/resumable-hasher.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { NewFileRequest, StagedObject } from './create-stored-file';

/** The step a direct upload ends with (CreateStoredFile): the same checks, the same row. */
export interface FileCreation {
  execute(request: NewFileRequest, staged: StagedObject): Promise<StoredFile>;
}

/**
 * Completes a session whose bytes have all arrived and been hashed (the caller holds it in
 * `completing`): the staged object becomes the object (a rename, not a copy), the digests come from
 * the saved hash state and only the first bytes are read, for the type check. A provider failure
 * while completing puts the session back to `uploading` (re-send the last chunk to retry); a refused
 * file (type, quota, duplicate, checksum) leaves no object and marks the session failed.
 */
export class CompleteResumableUpload {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly store: ObjectStore,
    private readonly staging: UploadStaging,
    private readonly createFile: FileCreation,
    private readonly logger: Logger,
    private readonly hasher: ResumableHasher,
    /** With a keyring: the completed clear object is encrypted into the key the row then points at. */
    private readonly seal: EncryptCompletedUpload | null = null,
  ) {}

  async execute(session: UploadSession, owner: { userId: string; role: Role }): Promise<StoredFile> {
    let size: number;
    try {
      ({ size } = await this.staging.complete(session.key, session.uploadId, session.sizeBytes, session.mimeType));
    } catch (error) {
      await this.sessions.transition(session.id, 'completing', 'uploading');
      throw error;
    }
    try {
      if (size !== session.sizeBytes) {
        throw new ChecksumMismatch('The assembled file does not have the announced size', { file_size: session.sizeBytes, received_bytes: size });
      }
      const digests = await (await this.hasher.resume(session.hashState)).digest();
      const head = size === 0 ? Buffer.alloc(0) : await bytesOf(await this.store.get(session.key, { start: 0, end: Math.min(SNIFF_BYTES, size) - 1 }));
      const sealed = this.seal?.needed ? { key: this.seal.encryptedKeyFor(session.key), encryption: await this.seal.execute(session.key, session.mimeType) } : null;
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
        { key: sealed?.key ?? session.key, sizeBytes: size, checksumMd5: digests.md5, checksumSha256: digests.sha256, head, encryption: sealed?.encryption ?? null },
      );
      await this.sessions.transition(session.id, 'completing', 'completed');
      return file;
    } catch (error) {
      await this.sessions.transition(session.id, 'completing', 'failed');
      const keys = this.seal?.needed ? [session.key, this.seal.encryptedKeyFor(session.key)] : [session.key];
      for (const key of keys) await this.store.delete(key).catch((cause: unknown) => this.logger.error({ key, err: String(cause) }, 'could not delete a refused upload'));
      throw error;
    }
  }
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}
