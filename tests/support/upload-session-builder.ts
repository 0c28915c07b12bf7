import { randomUUID } from 'node:crypto';
import type { UploadSession } from '../../src/domain/storage/upload-session';

/** `anUploadSession().ownedBy(user).expiringAt(date).build()`: 3 chunks of 256 KiB over 600 000 bytes. */
export function anUploadSession(): UploadSessionBuilder {
  return new UploadSessionBuilder();
}

export class UploadSessionBuilder {
  private session: UploadSession;

  constructor() {
    const fileId = randomUUID();
    const now = new Date(Math.floor(Date.now() / 1000) * 1000);
    this.session = {
      id: randomUUID(),
      userId: randomUUID(),
      fileId,
      key: `users/u/projects/none/big_${fileId}.pdf`,
      uploadId: randomUUID().replace(/-/g, ''),
      filename: 'big.pdf',
      sizeBytes: 600_000,
      mimeType: 'application/pdf',
      chunkSize: 262_144,
      totalChunks: 3,
      projectId: null,
      metadata: { tags: ['x'] },
      checksumMd5: null,
      chunks: {},
      receivedBytes: 0,
      hashState: null,
      status: 'uploading',
      expiresAt: new Date(now.getTime() + 3_600_000),
      createdAt: now,
    };
  }

  ownedBy(userId: string): this {
    this.session.userId = userId;
    return this;
  }

  expiringAt(at: Date): this {
    this.session.expiresAt = at;
    return this;
  }

  build(): UploadSession {
    return structuredClone(this.session);
  }
}
