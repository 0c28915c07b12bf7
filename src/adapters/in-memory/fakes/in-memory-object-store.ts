import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ByteRange, ChunkedUploads, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../../application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable, StorageBackendError } from '../../../domain/storage/errors';
import { assertChunkIndex, assertSafeKey, assertUploadId, newUploadId } from '../../object-store/object-key';

interface StoredObject {
  bytes: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

/**
 * The unit tests' object store: all three storage ports over a Map, passing the same contract suite as
 * the real providers. `setAvailable(false)` makes every call fail as an unreachable provider would.
 */
export class InMemoryObjectStore implements ObjectStore, ChunkedUploads, ObjectUrlSigner {
  readonly provider: string;
  private readonly objects = new Map<string, StoredObject>();
  private readonly uploads = new Map<string, Map<number, Buffer>>();
  private available = true;

  constructor(provider = 'memory') {
    this.provider = provider;
  }

  setAvailable(available: boolean): void {
    this.available = available;
  }

  /** Keys currently stored, for assertions such as "nothing left behind". */
  keys(): string[] {
    return [...this.objects.keys()];
  }

  async put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }> {
    assertSafeKey(key);
    this.assertAvailable();
    const parts: Buffer[] = [];
    // Collected first and stored only once the stream ends: a stream that fails stores nothing.
    for await (const chunk of body) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    this.store(key, Buffer.concat(parts), options.contentType);
    return { size: this.objects.get(key)!.bytes.length };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    this.assertAvailable();
    const object = this.objects.get(key);
    if (!object) throw new FileNotFound('No object at this key');
    if (!range) return Readable.from([object.bytes]);
    if (range.start >= object.bytes.length || range.end < range.start) throw new RangeNotSatisfiable('Range outside the object');
    return Readable.from([object.bytes.subarray(range.start, Math.min(range.end, object.bytes.length - 1) + 1)]);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    this.assertAvailable();
    const object = this.objects.get(key);
    return object ? { size: object.bytes.length, contentType: object.contentType, etag: object.etag, lastModified: object.lastModified } : null;
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    this.assertAvailable();
    this.objects.delete(key);
  }

  async ping(): Promise<void> {
    this.assertAvailable();
  }

  async begin(key: string): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    this.assertAvailable();
    const uploadId = newUploadId();
    this.uploads.set(uploadId, new Map());
    return { uploadId };
  }

  async putChunk(key: string, uploadId: string, index: number, body: Buffer): Promise<void> {
    this.assertAvailable();
    assertChunkIndex(index);
    this.session(uploadId).set(index, Buffer.from(body));
  }

  async complete(key: string, uploadId: string, count: number, contentType: string): Promise<{ size: number }> {
    assertSafeKey(key);
    this.assertAvailable();
    const chunks = this.session(uploadId);
    const ordered: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const chunk = chunks.get(i);
      if (!chunk) throw new FileNotFound(`Chunk ${i} was never received`, { missing_chunk: i });
      ordered.push(chunk);
    }
    this.store(key, Buffer.concat(ordered), contentType);
    this.uploads.delete(uploadId);
    return { size: this.objects.get(key)!.bytes.length };
  }

  async abort(_key: string, uploadId: string): Promise<void> {
    assertUploadId(uploadId);
    this.assertAvailable();
    this.uploads.delete(uploadId);
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    assertSafeKey(key);
    const url = new URL(`https://memory.invalid/${key}`);
    url.searchParams.set('expires_in', String(options.expiresInSeconds));
    if (options.contentDisposition) url.searchParams.set('disposition', options.contentDisposition);
    return url.toString();
  }

  private store(key: string, bytes: Buffer, contentType: string): void {
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    this.objects.set(key, { bytes, contentType, etag, lastModified: new Date() });
  }

  private session(uploadId: string): Map<number, Buffer> {
    assertUploadId(uploadId);
    const chunks = this.uploads.get(uploadId);
    if (!chunks) throw new FileNotFound('No such chunked upload');
    return chunks;
  }

  private assertAvailable(): void {
    if (!this.available) throw new StorageBackendError(`Storage backend ${this.provider} failed`, { provider: this.provider });
  }
}
