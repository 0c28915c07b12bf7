import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { ContentCipher } from '../../application/ports/content-cipher.port';
import type { Keyring } from '../../domain/crypto/keyring';
import {
  FORMAT_MAGIC,
  FORMAT_VERSION,
  HEADER_BYTES,
  NONCE_PREFIX_BYTES,
  SEGMENT_PLAINTEXT_BYTES,
  TAG_BYTES,
  segmentPlaintextSize,
  type SegmentWindow,
} from '../../domain/crypto/segmented-format';
import { EncryptionKeyUnavailable, StorageIntegrityError } from '../../domain/storage/errors';
import type { FileEncryption } from '../../domain/storage/stored-file';

const WRAP_NONCE_BYTES = 12;
const DATA_KEY_BYTES = 32;
const WRAPPED_BYTES = WRAP_NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;

/**
 * The segmented streaming AEAD of README "Encryption at rest" (in the manner of Tink's
 * AES-GCM-HKDF streaming AEAD and age's STREAM), with AES-256-GCM throughout:
 *
 *   wrapped data key = nonce (12 random) | AES-256-GCM(master key, data key) (32) | tag (16),
 *                      AAD = "vb-file-key:" + master key id (a wrapped key cannot be relabelled)
 *   object           = header | segment_0 | ... | segment_n-1
 *   header           = "VBSE" | version 0x01 | nonce prefix (7 random bytes)
 *   segment_i        = AES-256-GCM(data key, nonce_i, AAD = header, plaintext_i) | tag (16)
 *   nonce_i          = nonce prefix | i (4 bytes, big-endian) | 0x01 for the last segment, else 0x00
 *
 * Every plaintext segment is 64 KiB but the last (0..64 KiB; an empty file is one empty last segment),
 * so segment i starts at 12 + i * (65536 + 16) and a Range read fetches and opens only its segments.
 * The index in the nonce detects reordering, the last flag truncation at a segment boundary, the tag
 * any altered byte. The backup archive cipher (aes-gcm-archive-cipher.ts) is not reused: its chunks
 * carry random nonces and length fields, which suits a stream read once, not offset arithmetic.
 */
export class SegmentedAesGcmCipher implements ContentCipher {
  constructor(private readonly keyring: Keyring) {}

  get activeKeyId(): string {
    return this.keyring.activeId;
  }

  get keyIds(): readonly string[] {
    return this.keyring.ids;
  }

  canOpen(keyId: string): boolean {
    return this.keyring.has(keyId);
  }

  newDataKey(): FileEncryption {
    return this.wrap(randomBytes(DATA_KEY_BYTES));
  }

  rewrap(key: FileEncryption): FileEncryption {
    return key.keyId === this.keyring.activeId ? key : this.wrap(this.unwrap(key));
  }

  encryptor(key: FileEncryption): Transform {
    return new EncryptingStream(this.unwrap(key));
  }

  decryptor(key: FileEncryption, plaintextSize: number, window: SegmentWindow, header: Buffer | null): Transform {
    return new DecryptingStream(this.unwrap(key), plaintextSize, window, header);
  }

  private wrap(dataKey: Buffer): FileEncryption {
    const keyId = this.keyring.activeId;
    const nonce = randomBytes(WRAP_NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.activeKey, nonce);
    cipher.setAAD(wrapAad(keyId));
    const sealed = Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return { keyId, wrappedKey: sealed.toString('base64') };
  }

  private unwrap(key: FileEncryption): Buffer {
    const master = this.keyring.key(key.keyId);
    if (!master) throw new EncryptionKeyUnavailable('The key this file is encrypted with is not in the keyring', { key_id: key.keyId });
    const sealed = Buffer.from(key.wrappedKey, 'base64');
    try {
      if (sealed.length !== WRAPPED_BYTES) throw new Error('bad length');
      const decipher = createDecipheriv('aes-256-gcm', master, sealed.subarray(0, WRAP_NONCE_BYTES));
      decipher.setAAD(wrapAad(key.keyId));
      decipher.setAuthTag(sealed.subarray(WRAP_NONCE_BYTES + DATA_KEY_BYTES));
      return Buffer.concat([decipher.update(sealed.subarray(WRAP_NONCE_BYTES, WRAP_NONCE_BYTES + DATA_KEY_BYTES)), decipher.final()]);
    } catch {
      // The id is in the keyring but its bytes do not open the wrapped key: a different key under that id.
      throw new EncryptionKeyUnavailable('The key this file is encrypted with does not open its data key', { key_id: key.keyId, reason: 'key_mismatch' });
    }
  }
}

function wrapAad(keyId: string): Buffer {
  return Buffer.from(`vb-file-key:${keyId}`, 'utf8');
}

function nonceFor(header: Buffer, index: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  header.copy(nonce, 0, HEADER_BYTES - NONCE_PREFIX_BYTES, HEADER_BYTES);
  nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
  nonce.writeUInt8(last ? 1 : 0, NONCE_PREFIX_BYTES + 4);
  return nonce;
}

export function newHeader(): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(FORMAT_MAGIC, 0, 'latin1');
  header.writeUInt8(FORMAT_VERSION, FORMAT_MAGIC.length);
  randomBytes(NONCE_PREFIX_BYTES).copy(header, FORMAT_MAGIC.length + 1);
  return header;
}

function validHeader(header: Buffer): boolean {
  return header.length === HEADER_BYTES && header.toString('latin1', 0, FORMAT_MAGIC.length) === FORMAT_MAGIC && header[FORMAT_MAGIC.length] === FORMAT_VERSION;
}

class EncryptingStream extends Transform {
  private readonly header = newHeader();
  private readonly buffer = Buffer.allocUnsafe(SEGMENT_PLAINTEXT_BYTES);
  private filled = 0;
  private index = 0;

  constructor(private readonly key: Buffer) {
    super();
    this.push(this.header);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let offset = 0;
    while (offset < chunk.length) {
      // A full segment is sealed only once more bytes show it is not the last.
      if (this.filled === SEGMENT_PLAINTEXT_BYTES) this.seal(false);
      const copied = chunk.copy(this.buffer, this.filled, offset, Math.min(chunk.length, offset + SEGMENT_PLAINTEXT_BYTES - this.filled));
      this.filled += copied;
      offset += copied;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.seal(true);
    callback();
  }

  private seal(last: boolean): void {
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceFor(this.header, this.index, last));
    cipher.setAAD(this.header);
    this.push(Buffer.concat([cipher.update(this.buffer.subarray(0, this.filled)), cipher.final(), cipher.getAuthTag()]));
    this.index += 1;
    this.filled = 0;
  }
}

class DecryptingStream extends Transform {
  private header: Buffer | null;
  private readonly headerParts: Buffer[] = [];
  private headerFilled = 0;
  private segment: Buffer;
  private filled = 0;
  private index: number;
  private remaining: number;
  private readonly lastIndex: number;

  constructor(
    private readonly key: Buffer,
    private readonly plaintextSize: number,
    private readonly window: SegmentWindow,
    header: Buffer | null,
  ) {
    super();
    this.header = header;
    this.index = window.firstSegment;
    this.remaining = window.length;
    this.lastIndex = Math.max(1, Math.ceil(plaintextSize / SEGMENT_PLAINTEXT_BYTES)) - 1;
    this.segment = Buffer.allocUnsafe(this.cipherSize(this.index));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    // The plaintext of every segment this chunk completes, pushed as one buffer: a 1 MiB read is one
    // push (and one socket write downstream) instead of sixteen of 64 KiB.
    const opened: Buffer[] = [];
    try {
      let offset = 0;
      if (!this.header) offset = this.readHeader(chunk);
      while (offset < chunk.length) {
        if (this.index > this.window.lastSegment) throw this.broken('bytes after the last segment');
        const wanted = this.segment.length - this.filled;
        if (this.filled === 0 && chunk.length - offset >= wanted) {
          // A whole segment inside the chunk (most of them, with large reads): opened where it lies, no copy.
          opened.push(this.open(chunk.subarray(offset, offset + wanted)));
          offset += wanted;
          continue;
        }
        const copied = chunk.copy(this.segment, this.filled, offset, Math.min(chunk.length, offset + wanted));
        this.filled += copied;
        offset += copied;
        if (this.filled === this.segment.length) opened.push(this.open(this.segment));
      }
    } catch (error) {
      // Nothing of this chunk is pushed: a segment after a bad one is never delivered, nor one before it in the same read.
      return callback(error as Error);
    }
    const plain = opened.length === 1 ? opened[0]! : Buffer.concat(opened);
    if (plain.length > 0) this.push(plain);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (!this.header || this.index <= this.window.lastSegment) return callback(this.broken('the object ends early'));
    callback();
  }

  private readHeader(chunk: Buffer): number {
    const take = Math.min(chunk.length, HEADER_BYTES - this.headerFilled);
    this.headerParts.push(chunk.subarray(0, take));
    this.headerFilled += take;
    if (this.headerFilled === HEADER_BYTES) {
      const header = Buffer.concat(this.headerParts);
      if (!validHeader(header)) throw this.broken('not a segmented object of a known version');
      this.header = header;
    }
    return take;
  }

  /** Authenticates and decrypts one whole segment (ciphertext and tag); the part of it the window wants. */
  private open(segment: Buffer): Buffer {
    const header = this.header!;
    if (!validHeader(header)) throw this.broken('not a segmented object of a known version');
    const decipher = createDecipheriv('aes-256-gcm', this.key, nonceFor(header, this.index, this.index === this.lastIndex));
    decipher.setAAD(header);
    decipher.setAuthTag(segment.subarray(segment.length - TAG_BYTES));
    // GCM's final() adds no bytes: it only checks the tag. Nothing is pushed before it passed.
    const plain = decipher.update(segment.subarray(0, segment.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      throw this.broken('a segment failed authentication');
    }
    const from = this.index === this.window.firstSegment ? this.window.skip : 0;
    const slice = plain.subarray(from, from + Math.min(this.remaining, plain.length - from));
    this.remaining -= slice.length;
    this.index += 1;
    this.filled = 0;
    if (this.index <= this.window.lastSegment) {
      const size = this.cipherSize(this.index);
      if (size !== this.segment.length) this.segment = Buffer.allocUnsafe(size);
    }
    return slice;
  }

  private cipherSize(index: number): number {
    return segmentPlaintextSize(index, this.plaintextSize) + TAG_BYTES;
  }

  private broken(reason: string): StorageIntegrityError {
    return new StorageIntegrityError('The stored object failed its integrity check', { reason, segment: this.index });
  }
}
