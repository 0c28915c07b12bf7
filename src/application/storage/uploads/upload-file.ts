import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Role } from '../../../domain/auth/caller';
import { DomainError } from '../../../domain/shared/domain-error';
import { StorageBackendError } from '../../../domain/storage/errors';
import { objectKeyFor } from '../../../domain/storage/file-path';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { ContentHasher } from '../../ports/content-hasher.port';
import type { Logger } from '../../ports/logger.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { CreateStoredFile } from './create-stored-file';
import { HashingMeter } from './hashing-meter';
import { FileContent } from '../encryption/file-content';

/** The upload's `metadata` part, validated by the caller. */
export interface UploadDetails {
  projectId: string | null;
  isPublic: boolean;
  metadata: Record<string, unknown>;
}

export interface UploadFileInput {
  owner: { userId: string; role: Role };
  fileName: string;
  declaredMimeType: string | null;
  expectedMd5: string | null;
  body: Readable;
  /**
   * A promise when the details may arrive after the body (a multipart form with the file part first):
   * the object key then has no project folder, since the key is chosen before the first byte is written.
   */
  details: UploadDetails | Promise<UploadDetails>;
}

export interface UploadResult {
  file: StoredFile;
  uploadTimeMs: number;
  transferRateMbps: number;
}

/**
 * POST /storage/upload without the HTTP: the body streams once, through the meter (size, md5, sha256,
 * leading bytes) into the primary store under its final key; then CreateStoredFile decides. Whatever
 * fails (too large, client gone, provider down, a refused check) leaves no object and no row.
 */
export class UploadFile {
  constructor(
    private readonly store: ObjectStore,
    private readonly createStoredFile: CreateStoredFile,
    private readonly maxFileSizeBytes: number,
    private readonly logger: Logger,
    private readonly hasher: ContentHasher,
    /** Encrypts on the way to the store when a keyring is configured; stored in clear without one. */
    private readonly content: FileContent = new FileContent(store, null, logger),
  ) {}

  async execute(input: UploadFileInput): Promise<UploadResult> {
    const started = performance.now();
    const fileId = randomUUID();
    const early = input.details instanceof Promise ? null : input.details;
    const key = objectKeyFor(input.owner.userId, early?.projectId ?? null, fileId, input.fileName);
    const meter = new HashingMeter(this.maxFileSizeBytes, this.hasher);
    let bodyFailure: unknown = null;
    input.body.once('error', (error) => {
      bodyFailure = error;
      meter.destroy(error);
    });
    // The meter may fail (too large) before the store has attached to it; the failure is read from
    // meter.failure below, and the store's put rejects on the errored stream.
    meter.on('error', () => undefined);
    input.body.pipe(meter);

    let encryption;
    try {
      ({ encryption } = await this.content.write(key, meter, input.declaredMimeType ?? 'application/octet-stream'));
    } catch (error) {
      input.body.unpipe(meter);
      input.body.resume();
      // Also ends the hash run, which would otherwise wait for bytes that never come.
      meter.destroy();
      await this.discard(key);
      throw meter.failure ?? bodyFailure ?? asBackendError(error);
    }
    const measured = meter.result();

    let details: UploadDetails;
    try {
      details = await input.details;
    } catch (error) {
      await this.discard(key);
      throw error;
    }
    const file = await this.createStoredFile.execute(
      {
        fileId,
        owner: input.owner,
        originalName: input.fileName,
        declaredMimeType: input.declaredMimeType,
        expectedMd5: input.expectedMd5,
        projectId: details.projectId,
        isPublic: details.isPublic,
        metadata: details.metadata,
      },
      { key, ...measured, encryption },
    );
    const uploadTimeMs = Math.max(1, Math.round(performance.now() - started));
    const transferRateMbps = Math.round(((file.sizeBytes * 8) / 1e6 / (uploadTimeMs / 1000)) * 100) / 100;
    return { file, uploadTimeMs, transferRateMbps };
  }

  private async discard(key: string): Promise<void> {
    await this.store.delete(key).catch((error: unknown) =>
      this.logger.error({ key, err: error instanceof Error ? { message: error.message } : String(error) }, 'could not delete the object of a failed upload'),
    );
  }
}

function asBackendError(error: unknown): DomainError {
  return error instanceof DomainError ? error : new StorageBackendError('Backend storage service unavailable', {});
}
