import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { kindOf, type StoredFile } from '../../src/domain/storage/stored-file';

/** `aFile().ownedBy(user).sized(10).build()`; each builder starts with fresh ids and fresh content. */
export function aFile(): FileBuilder {
  return new FileBuilder();
}

export class FileBuilder {
  private file: StoredFile;

  constructor() {
    const id = randomUUID();
    const content = randomBytes(16);
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    this.file = {
      id,
      userId: randomUUID(),
      projectId: null,
      originalName: 'photo.png',
      filePath: `users/u/projects/none/photo_${id}.png`,
      fileType: 'image',
      mimeType: 'image/png',
      sizeBytes: 100,
      checksumMd5: createHash('md5').update(content).digest('hex'),
      checksumSha256: createHash('sha256').update(content).digest('hex'),
      storageProvider: 'local_disk',
      storageTier: 'hot',
      isPublic: false,
      metadata: {},
      backup: { state: 'none', provider: null, attempts: 0, lastError: null },
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
  }

  /** Stored encrypted: its data key wrapped by master key `keyId` (files.encryption_key_id / encryption_wrapped_key). */
  encryptedWith(encryption: { keyId: string; wrappedKey: string }): this {
    this.file.encryption = encryption;
    return this;
  }

  ownedBy(userId: string): this {
    this.file.userId = userId;
    return this;
  }

  inProject(projectId: string): this {
    this.file.projectId = projectId;
    return this;
  }

  named(name: string): this {
    this.file.originalName = name;
    return this;
  }

  ofType(mimeType: string): this {
    this.file.mimeType = mimeType;
    this.file.fileType = kindOf(mimeType);
    return this;
  }

  sized(bytes: number): this {
    this.file.sizeBytes = bytes;
    return this;
  }

  withSha256(sha256: string): this {
    this.file.checksumSha256 = sha256;
    return this;
  }

  tagged(...tags: string[]): this {
    this.file.metadata = { ...this.file.metadata, tags };
    return this;
  }

  /** Merged over the metadata so far (tags included). */
  withMetadata(metadata: Record<string, unknown>): this {
    this.file.metadata = { ...this.file.metadata, ...metadata };
    return this;
  }

  createdAt(at: Date): this {
    this.file.createdAt = at;
    this.file.updatedAt = at;
    return this;
  }

  build(): StoredFile {
    return structuredClone(this.file);
  }
}
