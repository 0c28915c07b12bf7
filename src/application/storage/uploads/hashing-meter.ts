import { Transform, type TransformCallback } from 'node:stream';
import { FileTooLarge } from '../../../domain/storage/errors';
import type { ContentDigests, ContentHasher, HashRun } from '../../ports/content-hasher.port';
import { SNIFF_BYTES } from '../../ports/content-sniffer.port';

/** Each side's buffer: a few 64 KiB chunks fit, so the meter does not push back on every one (16 KiB default). */
const BUFFER_BYTES = 256 * 1024;

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
 *
 * A chunk goes on downstream as soon as the hasher has taken it, so the store writes while the hasher
 * works; the stream ends only once both digests are known, so `result()` is ready when the store's
 * `put` settles. A hasher that falls behind holds the chunk back: that is the back-pressure.
 */
export class HashingMeter extends Transform {
  failure: FileTooLarge | null = null;
  private size = 0;
  private readonly run: HashRun;
  private digests: ContentDigests | null = null;
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  constructor(
    private readonly maxBytes: number,
    hasher: ContentHasher,
  ) {
    super({ highWaterMark: BUFFER_BYTES });
    this.run = hasher.start();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.failure = new FileTooLarge('File size exceeds maximum allowed limit', { max_size_bytes: this.maxBytes });
      callback(this.failure);
      return;
    }
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    let taken: Promise<void> | undefined;
    try {
      taken = this.run.update(chunk);
    } catch (error) {
      callback(error as Error);
      return;
    }
    if (taken) taken.then(() => callback(null, chunk), (error: Error) => callback(error));
    else callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.run.digest().then(
      (digests) => {
        this.digests = digests;
        callback();
      },
      (error: Error) => callback(error),
    );
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    if (!this.digests) this.run.abort();
    callback(error);
  }

  /** After the stream ended. */
  result(): Measured {
    if (!this.digests) throw new Error('HashingMeter.result() before the stream ended');
    return {
      sizeBytes: this.size,
      checksumMd5: this.digests.md5,
      checksumSha256: this.digests.sha256,
      head: Buffer.concat(this.headChunks),
    };
  }
}
