import { randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';

/**
 * Keys come from domain/storage/file-path.ts, but an adapter must not trust that: a key with `..`, an
 * absolute path or a hidden segment could escape the disk root or reach the adapters' own staging areas
 * (`.uploads/`, `.staging/`), which live under dot-prefixed names for exactly that reason.
 */
export function assertSafeKey(key: string): void {
  const bad =
    key.length === 0 ||
    key.length > 1024 ||
    /[\u0000-\u001f\u007f\\]/.test(key) ||
    key.split('/').some((segment) => segment === '' || segment.startsWith('.'));
  if (bad) throw new Error('Invalid object key');
}

/** Upload ids name staging folders and block ids: opaque, fixed-length, traversal-free. */
export function newUploadId(): string {
  return randomUUID().replace(/-/g, '');
}

export function assertUploadId(uploadId: string): void {
  if (!/^[a-f0-9]{32}$/.test(uploadId)) throw new Error('Invalid upload id');
}

export function assertChunkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > 99_999) throw new Error('Invalid chunk index');
}

/** Zero-padded so staged chunks list in order and Azure block ids all have one length. */
export function chunkName(index: number): string {
  return String(index).padStart(5, '0');
}

/** Counts the bytes that flow through, so a put can report the size without buffering. */
export class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null, data?: Buffer) => void): void {
    this.bytes += chunk.length;
    done(null, chunk);
  }
}


/**
 * Runs `prepare` (create the container or bucket) before the first write, once it has succeeded: a
 * provider that was down at start and came back gets its container then, and a failure is retried.
 */
export function readyOnce(prepare: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () =>
    (done ??= prepare().catch((error: unknown) => {
      done = null;
      throw error;
    }));
}
