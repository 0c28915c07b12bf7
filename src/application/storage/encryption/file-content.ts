import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HEADER_BYTES, segmentWindow } from '../../../domain/crypto/segmented-format';
import { EncryptionKeyUnavailable, RangeNotSatisfiable, StorageIntegrityError } from '../../../domain/storage/errors';
import type { FileEncryption, StoredFile } from '../../../domain/storage/stored-file';
import type { ContentCipher } from '../../ports/content-cipher.port';
import type { Logger } from '../../ports/logger.port';
import type { ByteRange, ObjectStore } from '../../ports/object-store.port';

export type StoredObject = Pick<StoredFile, 'id' | 'filePath' | 'sizeBytes' | 'encryption'>;

/**
 * A file's plaintext, however it is stored: the bytes as they are for a file stored in clear, else
 * decrypted from the segmented format (ContentCipher) with only the segments a range touches fetched.
 * New objects are written encrypted whenever a keyring is configured (`cipher` not null).
 *
 * A read that fails authentication in its first segment throws StorageIntegrityError before anything
 * is returned (the caller can still answer 502); a later segment fails the stream instead, and the
 * HTTP edge cuts the connection. Either way the failure is logged and no bad byte is delivered.
 */
export class FileContent {
  constructor(
    private readonly store: ObjectStore,
    private readonly cipher: ContentCipher | null,
    private readonly logger: Logger,
  ) {}

  get encrypting(): boolean {
    return this.cipher !== null;
  }

  /** Streams `plaintext` into `key`; the encryption to record with the row (null: stored in clear). */
  async write(key: string, plaintext: Readable, contentType: string): Promise<{ size: number; encryption: FileEncryption | null }> {
    if (!this.cipher) return { ...(await this.store.put(key, plaintext, { contentType })), encryption: null };
    const encryption = this.cipher.newDataKey();
    const encryptor = this.cipher.encryptor(encryption);
    // The plaintext's own failure (too large, client gone) must reach the store's put through the encryptor.
    plaintext.once('error', (error) => encryptor.destroy(error));
    plaintext.pipe(encryptor);
    const { size } = await this.store.put(key, encryptor, { contentType: 'application/octet-stream' });
    return { size, encryption };
  }

  async read(file: StoredObject, range?: ByteRange): Promise<Readable> {
    const encryption = file.encryption;
    if (!encryption) return range ? this.store.get(file.filePath, range) : this.store.get(file.filePath);
    if (!this.cipher || !this.cipher.canOpen(encryption.keyId)) {
      this.logger.error({ fileId: file.id, keyId: encryption.keyId }, 'file encrypted with a master key not in the keyring');
      throw new EncryptionKeyUnavailable('The key this file is encrypted with is not in the keyring', { file_id: file.id });
    }
    const window = segmentWindow(file.sizeBytes, range);
    const whole = !range;
    const header = window.firstSegment === 0 ? null : await this.fetchAll(file, { start: 0, end: HEADER_BYTES - 1 });
    const decryptor = this.cipher.decryptor(encryption, file.sizeBytes, window, header);
    const source = whole
      ? await this.fetch(file)
      : await this.fetch(file, { start: header ? window.ciphertextStart : 0, end: window.ciphertextEnd });
    void pipeline(source, decryptor).catch(() => undefined);
    const chunks = decryptor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const first = await this.next(chunks, file);
    const next = (it: AsyncIterator<Buffer>) => this.next(it, file);
    return Readable.from(
      (async function* () {
        try {
          for (let item = first; !item.done; item = await next(chunks)) yield item.value;
        } finally {
          // A client gone mid-body: destroying the decryptor also closes the provider's stream (pipeline).
          await chunks.return?.();
        }
      })(),
      { objectMode: false },
    );
  }

  private async next(chunks: AsyncIterator<Buffer>, file: StoredObject): Promise<IteratorResult<Buffer>> {
    try {
      return await chunks.next();
    } catch (error) {
      if (error instanceof StorageIntegrityError) {
        this.logger.error({ fileId: file.id, key: file.filePath, ...error.details }, 'stored object failed its integrity check; not served');
      }
      throw error;
    }
  }

  private async fetch(file: StoredObject, range?: ByteRange): Promise<Readable> {
    try {
      return range ? await this.store.get(file.filePath, range) : await this.store.get(file.filePath);
    } catch (error) {
      // The format says the bytes are there: an object too short for them was truncated.
      if (error instanceof RangeNotSatisfiable) {
        this.logger.error({ fileId: file.id, key: file.filePath, reason: 'the object ends early' }, 'stored object failed its integrity check; not served');
        throw new StorageIntegrityError('The stored object failed its integrity check', { reason: 'the object ends early' });
      }
      throw error;
    }
  }

  private async fetchAll(file: StoredObject, range: ByteRange): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of await this.fetch(file, range)) parts.push(part as Buffer);
    return Buffer.concat(parts);
  }
}
