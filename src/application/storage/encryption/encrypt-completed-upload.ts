import type { FileEncryption } from '../../../domain/storage/stored-file';
import type { ObjectStore } from '../../ports/object-store.port';
import type { FileContent } from './file-content';

/** Suffix of the key a resumable or tus upload is completed to, in clear, before it is encrypted. */
export const CLEAR_STAGED_SUFFIX = '.staged-clear';

/**
 * Resumable and tus uploads are staged in clear and completed by a rename (UploadStaging.complete):
 * with a keyring, the completion renames to `clearKeyFor(key)` instead, and this encrypts that object
 * into `key` in one streaming pass, then deletes the clear one. A crash in between leaves the clear
 * object (never served: no row points at it) for the expired-upload cleanup to remove.
 */
export class EncryptCompletedUpload {
  constructor(
    private readonly store: ObjectStore,
    private readonly content: FileContent,
  ) {}

  get needed(): boolean {
    return this.content.encrypting;
  }

  clearKeyFor(key: string): string {
    return `${key}${CLEAR_STAGED_SUFFIX}`;
  }

  /** Encrypts the completed clear object into `key`; the encryption to record with the row. */
  async execute(key: string, contentType: string): Promise<FileEncryption | null> {
    const clearKey = this.clearKeyFor(key);
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
