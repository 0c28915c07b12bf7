import type { FileEncryption } from '../../../domain/storage/stored-file';
import type { ObjectStore } from '../../ports/object-store.port';
import type { FileContent } from './file-content';

/** Suffix of the encrypted object a resumable or tus upload becomes, beside the clear staged one. */
export const ENCRYPTED_UPLOAD_SUFFIX = '.vbse';

/**
 * Resumable and tus uploads are staged in clear and completed in place (UploadStaging.complete: a
 * rename on disk, CompleteMultipartUpload on S3, commitBlockList on Azure, none of which can move the
 * object to another key). With a keyring, this then encrypts the completed clear object into
 * `encryptedKeyFor(key)` in one streaming pass and deletes the clear one; the file row points at the
 * encrypted key. A crash in between leaves a clear object no row points at (never served).
 */
export class EncryptCompletedUpload {
  constructor(
    private readonly store: ObjectStore,
    private readonly content: FileContent,
  ) {}

  get needed(): boolean {
    return this.content.encrypting;
  }

  encryptedKeyFor(clearKey: string): string {
    return `${clearKey}${ENCRYPTED_UPLOAD_SUFFIX}`;
  }

  /** Encrypts the completed clear object at `clearKey` into `encryptedKeyFor(clearKey)`; the encryption to record with the row. */
  async execute(clearKey: string, contentType: string): Promise<FileEncryption | null> {
    const key = this.encryptedKeyFor(clearKey);
    try {
      const { encryption } = await this.content.write(key, await this.store.get(clearKey), contentType);
      return encryption;
    } catch (error) {
      await this.store.delete(key).catch(() => undefined);
      throw error;
    } finally {
      await this.store.delete(clearKey).catch(() => undefined);
    }
  }
}
