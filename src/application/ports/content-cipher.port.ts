import type { Transform } from 'node:stream';
import type { SegmentWindow } from '../../domain/crypto/segmented-format';
import type { FileEncryption } from '../../domain/storage/stored-file';

/**
 * Envelope encryption of file objects in the segmented streaming AEAD format
 * (domain/crypto/segmented-format.ts): a random data key per object, wrapped by a master key of the
 * keyring. Key bytes never cross this port: callers hold wrapped keys and key ids only.
 *
 * Failures: EncryptionKeyUnavailable when the master key is not in the keyring (or does not open the
 * wrapped key); a decrypting transform fails with StorageIntegrityError on any altered, truncated,
 * reordered or surplus byte, before it emits anything of the segment concerned.
 */
export interface ContentCipher {
  /** The master key new data keys are wrapped with (ENCRYPTION_ACTIVE_KEY). */
  readonly activeKeyId: string;
  /** Every master key id in the keyring. */
  readonly keyIds: readonly string[];
  /** A fresh random data key, wrapped by the active master key. */
  newDataKey(): FileEncryption;
  canOpen(keyId: string): boolean;
  /** The same data key, wrapped by the active master key instead (rotation: no object is rewritten). */
  rewrap(key: FileEncryption): FileEncryption;
  /** Plaintext in, the whole stored object (header and segments) out. */
  encryptor(key: FileEncryption): Transform;
  /**
   * Ciphertext of `window`'s segments in, exactly the plaintext bytes the window asks for out. `header`
   * is the object's first HEADER_BYTES when fetched apart; null when the input starts with it.
   */
  decryptor(key: FileEncryption, plaintextSize: number, window: SegmentWindow, header: Buffer | null): Transform;
}
