import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Role } from '../../../domain/auth/caller';
import { DuplicateFile } from '../../../domain/storage/errors';
import { objectKeyFor } from '../../../domain/storage/file-path';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { FileRepository } from '../../ports/file-repository.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { CreateStoredFile } from '../uploads/create-stored-file';
import { HashingMeter } from '../uploads/hashing-meter';
import type { ContentHasher } from '../../ports/content-hasher.port';
import type { FileContent } from '../encryption/file-content';

/**
 * A transformation's output becomes a file the way an upload does: measured on its way to the
 * primary store, then CreateStoredFile's checks (type, quota, dedup) and row, owned by the source's
 * owner. Any refusal deletes the object. Content the owner already stores is not stored twice: the
 * existing file is the output (`created: false`, so a cancel does not remove it).
 */
export class StoreDerivedFile {
  constructor(
    private readonly store: ObjectStore,
    private readonly files: FileRepository,
    private readonly createStoredFile: CreateStoredFile,
    private readonly maxFileSizeBytes: number,
    private readonly hasher: ContentHasher,
    /** Encrypts outputs and thumbnails like uploads when a keyring is configured. */
    private readonly content: FileContent | null = null,
  ) {}

  async execute(input: {
    owner: { userId: string; role: Role };
    source: StoredFile;
    name: string;
    /** The output: small ones in memory, audio and video as a stream of the file ffmpeg wrote. */
    data: Buffer | Readable;
    metadata: Record<string, unknown>;
    /** The output's type when the bytes cannot say it (JSON reads as text). */
    mimeType?: string;
  }): Promise<{ file: StoredFile; created: boolean }> {
    const fileId = randomUUID();
    const key = objectKeyFor(input.owner.userId, input.source.projectId, fileId, input.name);
    const meter = new HashingMeter(this.maxFileSizeBytes, this.hasher);
    // pipeline, not pipe: a read error of the output reaches the store's put instead of leaving it waiting.
    void pipeline(Buffer.isBuffer(input.data) ? Readable.from([input.data]) : input.data, meter).catch(() => undefined);
    let encryption = null;
    try {
      if (this.content) ({ encryption } = await this.content.write(key, meter, 'application/octet-stream'));
      else await this.store.put(key, meter, { contentType: 'application/octet-stream' });
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw meter.failure ?? error;
    }
    try {
      const file = await this.createStoredFile.execute(
        {
          fileId,
          owner: input.owner,
          originalName: input.name,
          declaredMimeType: null,
          ...(input.mimeType ? { producedMimeType: input.mimeType } : {}),
          expectedMd5: null,
          projectId: input.source.projectId,
          isPublic: false,
          metadata: input.metadata,
        },
        { key, ...meter.result(), encryption },
      );
      return { file, created: true };
    } catch (error) {
      const existingId = error instanceof DuplicateFile ? (error.details.existing_file_id as string) : null;
      const existing = existingId ? await this.files.findById(existingId) : null;
      if (existing) return { file: existing, created: false };
      throw error;
    }
  }
}
