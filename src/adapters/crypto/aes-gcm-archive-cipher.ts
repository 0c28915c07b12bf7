import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import type { ArchiveCipher } from '../../application/ports/archive-cipher.port';

/**
 * AES-256-GCM over a stream, in independently authenticated chunks, so neither side ever holds an
 * archive whole and a reader detects any damage before it acts on the bytes that follow:
 *
 *   header  = "VBBKAES1" (8 bytes) | archive id (16 random bytes)
 *   chunk_i = flag (1: 0 more, 1 last) | length (4, big-endian, ≤ 64 KiB) | nonce (12 random bytes)
 *             | ciphertext (length bytes) | tag (16)
 *   AAD_i   = header | i (8, big-endian) | flag | length
 *
 * The last chunk (flag 1, possibly empty) is always written, so a truncated object is detected (no
 * last chunk); i in the AAD detects reordered or dropped chunks, the archive id chunks spliced from
 * another archive, and a tag mismatch anything altered (or a different key). Nonces are random per
 * chunk (96 bits: far from the 2^32 chunks per key after which random GCM nonces become risky, at
 * 64 KiB a chunk that is 256 TiB under one key).
 */
const MAGIC = Buffer.from('VBBKAES1', 'latin1');
const HEADER_BYTES = MAGIC.length + 16;
const CHUNK_BYTES = 64 * 1024;
const CHUNK_HEAD_BYTES = 1 + 4 + 12;
const TAG_BYTES = 16;

export class AesGcmArchiveCipher implements ArchiveCipher {
  readonly encrypts = true;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('AES-256-GCM needs a 32-byte key');
  }

  encrypt(): Transform {
    return new EncryptingStream(this.key);
  }

  decrypt(): Transform {
    return new DecryptingStream(this.key);
  }
}

function aad(header: Buffer, index: number, flag: number, length: number): Buffer {
  const tail = Buffer.alloc(8 + 1 + 4);
  tail.writeBigUInt64BE(BigInt(index), 0);
  tail.writeUInt8(flag, 8);
  tail.writeUInt32BE(length, 9);
  return Buffer.concat([header, tail]);
}

class EncryptingStream extends Transform {
  private readonly header = Buffer.concat([MAGIC, randomBytes(16)]);
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private filled = 0;
  private index = 0;

  constructor(private readonly key: Buffer) {
    super();
    this.push(this.header);
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let offset = 0;
    while (offset < data.length) {
      const n = Math.min(CHUNK_BYTES - this.filled, data.length - offset);
      data.copy(this.buffer, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      // A full buffer waits for more input before it goes out: only then is it known not to be the last.
      if (this.filled === CHUNK_BYTES && offset < data.length) this.sealChunk(0);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.sealChunk(1);
    done();
  }

  private sealChunk(flag: 0 | 1): void {
    const length = this.filled;
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(aad(this.header, this.index, flag, length));
    const head = Buffer.allocUnsafe(5);
    head.writeUInt8(flag, 0);
    head.writeUInt32BE(length, 1);
    const body = Buffer.concat([cipher.update(this.buffer.subarray(0, length)), cipher.final()]);
    this.push(Buffer.concat([head, nonce, body, cipher.getAuthTag()]));
    this.index++;
    this.filled = 0;
  }
}

class DecryptingStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private header: Buffer | null = null;
  private index = 0;
  private ended = false;

  constructor(private readonly key: Buffer) {
    super();
  }

  override _transform(data: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(data);
    this.pendingBytes += data.length;
    try {
      this.drain();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    if (!this.ended) return done(new Error('the archive is truncated (its last chunk is missing)'));
    done();
  }

  private drain(): void {
    for (;;) {
      if (this.ended) {
        if (this.pendingBytes > 0) throw new Error('unexpected bytes after the last chunk');
        return;
      }
      if (!this.header) {
        if (this.pendingBytes < HEADER_BYTES) return;
        const header = this.consume(HEADER_BYTES);
        if (!header.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not an encrypted backup archive (unknown header)');
        this.header = header;
        continue;
      }
      if (this.pendingBytes < CHUNK_HEAD_BYTES) return;
      const head = this.head(CHUNK_HEAD_BYTES);
      const flag = head.readUInt8(0);
      const length = head.readUInt32BE(1);
      if (flag > 1 || length > CHUNK_BYTES) throw new Error(`chunk ${this.index} has a malformed header`);
      if (this.pendingBytes < CHUNK_HEAD_BYTES + length + TAG_BYTES) return;
      const chunk = this.consume(CHUNK_HEAD_BYTES + length + TAG_BYTES);
      const decipher = createDecipheriv('aes-256-gcm', this.key, chunk.subarray(5, CHUNK_HEAD_BYTES));
      decipher.setAAD(aad(this.header, this.index, flag, length));
      decipher.setAuthTag(chunk.subarray(CHUNK_HEAD_BYTES + length));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(chunk.subarray(CHUNK_HEAD_BYTES, CHUNK_HEAD_BYTES + length)), decipher.final()]);
      } catch {
        throw new Error(`chunk ${this.index} fails authentication (tampered, or encrypted under another key)`);
      }
      if (plain.length > 0) this.push(plain);
      this.index++;
      if (flag === 1) this.ended = true;
    }
  }

  private head(n: number): Buffer {
    if (this.pending[0]!.length < n) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!.subarray(0, n);
  }

  private consume(n: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const taken = all.subarray(0, n);
    const rest = all.subarray(n);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes -= n;
    return taken;
  }
}
