import type { Role } from '../../../domain/auth/caller';
import { ChecksumMismatch, DuplicateFile, FileTooLarge, QuotaExceeded } from '../../../domain/storage/errors';
import { acceptedMimeType } from '../../../domain/storage/file-type-policy';
import { displayFileName } from '../../../domain/storage/file-path';
import { kindOf, type FileEncryption, type StoredFile } from '../../../domain/storage/stored-file';
import type { FileContent } from '../encryption/file-content';
import type { Clock } from '../../ports/clock.port';
import type { ContentSniffer } from '../../ports/content-sniffer.port';
import type { ExtractedMetadata, FileRepository } from '../../ports/file-repository.port';
import type { Logger } from '../../ports/logger.port';
import type { MetadataExtractor } from '../../ports/metadata-extractor.port';
import type { ObjectStore } from '../../ports/object-store.port';

/** What the client asked for: who, which name and type, and the `metadata` part of the upload. */
export interface NewFileRequest {
  /** Also the id inside the object key. */
  fileId: string;
  owner: { userId: string; role: Role };
  originalName: string;
  /** The part's (or session's) declared Content-Type; null or application/octet-stream: trust the bytes. */
  declaredMimeType: string | null;
  /**
   * Only for outputs the service wrote itself (transformations): their type as the engine made them,
   * for formats sniffing cannot tell from text (JSON). Never set from a client's word.
   */
  producedMimeType?: string;
  /** X-File-Checksum (md5, hex); null when the client sent none. */
  expectedMd5: string | null;
  projectId: string | null;
  isPublic: boolean;
  /** description, tags, custom_fields, auto_transform: kept on the row as sent. */
  metadata: Record<string, unknown>;
}

/** Bytes already written to the primary ObjectStore, measured while they streamed. */
export interface StagedObject {
  key: string;
  sizeBytes: number;
  checksumMd5: string;
  checksumSha256: string;
  /** At least the first SNIFF_BYTES bytes (all of them for a smaller file). */
  head: Buffer;
  /** How the object was encrypted on its way in (FileContent.write); null or absent: stored in clear. */
  encryption?: FileEncryption | null;
}

export interface CreateStoredFileSettings {
  maxFileSizeBytes: number;
  allowedMimeTypes: readonly string[];
  /** Per role; null means unlimited. */
  quotaBytes: Record<Role, number | null>;
}

/** Copies a stored file to the backup provider in the background (ReplicateToBackup). */
export interface BackupReplication {
  readonly enabled: boolean;
  execute(file: Pick<StoredFile, 'id' | 'filePath' | 'mimeType'>): void;
}

/** Background work a new file starts (auto_transform's jobs); must not throw. */
export interface FileCreatedHook {
  execute(file: StoredFile, owner: { userId: string; role: Role }): void;
}

/**
 * The one way a file comes into existence, shared by direct, resumable and tus uploads: size, md5,
 * type, dedup and quota checks, metadata extraction, then the row. The staged object belongs to this
 * step: on any failure it is deleted before the error is rethrown, so nothing is left behind. Once the
 * row exists, the backup copy (when a backup provider is configured) starts in the background.
 */
export class CreateStoredFile {
  constructor(
    private readonly store: ObjectStore,
    private readonly files: FileRepository,
    private readonly sniffer: ContentSniffer,
    private readonly extractor: MetadataExtractor,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: CreateStoredFileSettings,
    private readonly replication: BackupReplication | null = null,
    private readonly afterCreate: FileCreatedHook | null = null,
    /** Reads the staged object's plaintext for metadata extraction when it was stored encrypted. */
    private readonly content: FileContent | null = null,
  ) {}

  async execute(request: NewFileRequest, staged: StagedObject): Promise<StoredFile> {
    try {
      return await this.create(request, staged);
    } catch (error) {
      await this.store.delete(staged.key).catch((cause: unknown) =>
        this.logger.error({ key: staged.key, err: cause instanceof Error ? { message: cause.message } : String(cause) }, 'could not delete the object of a refused upload'),
      );
      throw error;
    }
  }

  private async create(request: NewFileRequest, staged: StagedObject): Promise<StoredFile> {
    const { maxFileSizeBytes, allowedMimeTypes } = this.settings;
    if (staged.sizeBytes > maxFileSizeBytes) {
      throw new FileTooLarge('File size exceeds maximum allowed limit', { file_size_bytes: staged.sizeBytes, max_size_bytes: maxFileSizeBytes });
    }
    if (request.expectedMd5 !== null && request.expectedMd5.toLowerCase() !== staged.checksumMd5) {
      throw new ChecksumMismatch('File checksum does not match provided value', { expected_md5: request.expectedMd5, actual_md5: staged.checksumMd5 });
    }
    const mimeType = request.producedMimeType ?? acceptedMimeType(await this.sniffer.sniff(staged.head), request.declaredMimeType, allowedMimeTypes);
    const existing = await this.files.findByChecksum(request.owner.userId, staged.checksumSha256);
    if (existing) throw duplicate(existing.id);

    const now = this.clock.now();
    const file: StoredFile = {
      id: request.fileId,
      userId: request.owner.userId,
      projectId: request.projectId,
      originalName: displayFileName(request.originalName),
      filePath: staged.key,
      fileType: kindOf(mimeType),
      mimeType,
      sizeBytes: staged.sizeBytes,
      checksumMd5: staged.checksumMd5,
      checksumSha256: staged.checksumSha256,
      storageProvider: this.store.provider,
      storageTier: 'hot',
      isPublic: request.isPublic,
      metadata: request.metadata,
      backup: { state: this.replication?.enabled ? 'pending' : 'none', provider: null, attempts: 0, lastError: null },
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      ...(staged.encryption ? { encryption: staged.encryption } : {}),
    };
    const extracted = await this.extract(file);
    const quota = this.settings.quotaBytes[request.owner.role] ?? Number.MAX_SAFE_INTEGER;
    const outcome = await this.files.insertWithinQuota(file, quota, extracted, [
      { action: 'file.create', targetType: 'file', targetId: file.id, outcome: 'success', details: { size_bytes: file.sizeBytes, mime_type: file.mimeType, owner: file.userId } },
    ]);
    if (outcome.inserted) {
      this.replication?.execute(file);
      this.afterCreate?.execute(file, request.owner);
      return file;
    }
    if ('duplicateOf' in outcome) throw duplicate(outcome.duplicateOf);
    throw new QuotaExceeded('User storage quota exceeded', {
      file_size_bytes: file.sizeBytes,
      quota_bytes: quota,
      used_bytes: outcome.usedBytes,
      user_quota_remaining: Math.max(0, quota - outcome.usedBytes),
    });
  }

  /** Best effort: a file whose metadata cannot be read is still a file. */
  private async extract(file: StoredFile): Promise<ExtractedMetadata[]> {
    try {
      return await this.extractor.extract({ mimeType: file.mimeType, sizeBytes: file.sizeBytes }, () => (this.content ? this.content.read(file) : this.store.get(file.filePath)));
    } catch (error) {
      this.logger.warn({ fileId: file.id, mimeType: file.mimeType, err: error instanceof Error ? { message: error.message } : String(error) }, 'metadata extraction failed; stored without it');
      return [];
    }
  }
}

function duplicate(existingId: string): DuplicateFile {
  return new DuplicateFile('The same content is already stored', { existing_file_id: existingId });
}
