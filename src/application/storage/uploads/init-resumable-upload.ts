import { randomUUID } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { FileTooLarge } from '../../../domain/storage/errors';
import { objectKeyFor } from '../../../domain/storage/file-path';
import { DEFAULT_CHUNK_SIZE, totalChunksFor, type UploadSession } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';

export interface InitResumableUploadInput {
  caller: Caller;
  filename: string;
  fileSize: number;
  mimeType: string;
  /** Validated by the edge against MIN_CHUNK_SIZE..MAX_CHUNK_SIZE. */
  chunkSize?: number;
  projectId: string | null;
  /** description, tags, custom_fields, is_public: as in a direct upload's metadata part. */
  metadata: Record<string, unknown>;
  checksumMd5: string | null;
}

/** Opens a resumable session: the final key and file id are chosen now, the staged object begins. */
export class InitResumableUpload {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly staging: UploadStaging,
    private readonly clock: Clock,
    private readonly settings: { maxFileSizeBytes: number; sessionTtlSeconds: number },
  ) {}

  async execute(input: InitResumableUploadInput): Promise<UploadSession> {
    const { maxFileSizeBytes } = this.settings;
    // Refused before a byte is sent; completion checks type, quota and dedup as a direct upload would.
    if (input.fileSize > maxFileSizeBytes) {
      throw new FileTooLarge('File size exceeds maximum allowed limit', { file_size_bytes: input.fileSize, max_size_bytes: maxFileSizeBytes });
    }
    const chunkSize = input.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const fileId = randomUUID();
    const key = objectKeyFor(input.caller.userId, input.projectId, fileId, input.filename);
    const totalChunks = totalChunksFor(input.fileSize, chunkSize);
    const { uploadId } = await this.staging.begin(key, input.mimeType, { sizeBytes: input.fileSize, partSize: chunkSize });
    const now = this.clock.now();
    const session: UploadSession = {
      id: randomUUID(),
      userId: input.caller.userId,
      fileId,
      key,
      uploadId,
      filename: input.filename,
      sizeBytes: input.fileSize,
      mimeType: input.mimeType,
      chunkSize,
      totalChunks,
      projectId: input.projectId,
      metadata: input.metadata,
      checksumMd5: input.checksumMd5?.toLowerCase() ?? null,
      chunks: {},
      receivedBytes: 0,
      hashState: null,
      status: 'uploading',
      expiresAt: new Date(now.getTime() + this.settings.sessionTtlSeconds * 1000),
      createdAt: now,
    };
    await this.sessions.create(session);
    return session;
  }
}
