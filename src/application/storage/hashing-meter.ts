import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { FileTooLarge } from '../../domain/storage/errors';
import { SNIFF_BYTES } from '../ports/content-sniffer.port';

export interface Measured {
  sizeBytes: number;
  checksumMd5: string;
  checksumSha256: string;
  /** The first SNIFF_BYTES bytes, for type detection. */
  head: Buffer;
}

/**
 * Passes bytes through while counting, hashing (md5 and sha256) and keeping the first few for
 * sniffing, so the content is read once, on its way to the object store. Fails with FileTooLarge
 * as soon as the count passes `maxBytes`, which stops the upload there.
 */
export class HashingMeter extends Transform {
  failure: FileTooLarge | null = null;
  private size = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.failure = new FileTooLarge('File size exceeds maximum allowed limit', { max_size_bytes: this.maxBytes });
      callback(this.failure);
      return;
    }
    this.md5.update(chunk);
    this.sha256.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    callback(null, chunk);
  }

  result(): Measured {
    return {
      sizeBytes: this.size,
      checksumMd5: this.md5.digest('hex'),
      checksumSha256: this.sha256.digest('hex'),
      head: Buffer.concat(this.headChunks),
    };
  }
}
