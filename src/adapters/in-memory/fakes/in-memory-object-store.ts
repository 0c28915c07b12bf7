import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ListedObject, ObjectLister } from '../../../application/ports/object-lister.port';
import type { ByteRange, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../../application/ports/object-store.port';
import type { StagedLeftover, StagingLeftovers } from '../../../application/ports/staging-leftovers.port';
import type { StagingPlan, UploadStaging } from '../../../application/ports/upload-staging.port';
import { FileNotFound, RangeNotSatisfiable, StorageBackendError } from '../../../domain/storage/errors';
import { assertSafeKey, assertUploadId, newUploadId } from '../../object-store/object-key';

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
export class InMemoryObjectStore implements ObjectStore, UploadStaging, ObjectUrlSigner, ObjectLister, StagingLeftovers {
  readonly provider: string;
  private readonly objects = new Map<string, StoredObject>();
  /** Staged uploads: their planned bytes and how far writes reached. */
  private readonly uploads = new Map<string, { bytes: Buffer; end: number; lastModified: Date }>();
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

  async begin(key: string, _contentType: string, plan: StagingPlan): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    this.assertAvailable();
    const uploadId = newUploadId();
    this.uploads.set(uploadId, { bytes: Buffer.alloc(plan.sizeBytes), end: 0, lastModified: new Date() });
    return { uploadId };
  }

  async write(_key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>): Promise<{ bytes: number }> {
    this.assertAvailable();
    const staged = this.session(uploadId);
    let at = offset;
    for await (const part of body) {
      if (at + part.length > staged.bytes.length) throw new Error('A staged write past the planned size');
      part.copy(staged.bytes, at);
      at += part.length;
    }
    staged.end = Math.max(staged.end, at);
    staged.lastModified = new Date();
    return { bytes: at - offset };
  }

  async read(_key: string, uploadId: string, range: ByteRange): Promise<Readable> {
    this.assertAvailable();
    const staged = this.session(uploadId);
    return Readable.from([Buffer.from(staged.bytes.subarray(range.start, range.end + 1))]);
  }

  async complete(key: string, uploadId: string, sizeBytes: number, contentType: string): Promise<{ size: number }> {
    assertSafeKey(key);
    this.assertAvailable();
    const staged = this.session(uploadId);
    this.store(key, staged.bytes.subarray(0, Math.min(sizeBytes, staged.end)), contentType);
    this.uploads.delete(uploadId);
    return { size: this.objects.get(key)!.bytes.length };
  }

  async abort(_key: string, uploadId: string): Promise<void> {
    assertUploadId(uploadId);
    this.assertAvailable();
    this.uploads.delete(uploadId);
  }

  async *list(prefix = ''): AsyncGenerator<ListedObject> {
    this.assertAvailable();
    for (const [key, object] of [...this.objects]) {
      if (key.startsWith(prefix)) yield { key, size: object.bytes.length, lastModified: object.lastModified };
    }
  }

  /** Staged uploads only: a put here stores nothing until its stream has ended, so it leaves no temporary. */
  async *leftovers(): AsyncGenerator<StagedLeftover> {
    this.assertAvailable();
    for (const [uploadId, staged] of [...this.uploads]) {
      yield { ref: uploadId, kind: 'staged_upload', uploadTag: uploadId, size: staged.end, lastModified: staged.lastModified };
    }
  }

  uploadTagOf(uploadId: string): string {
    return uploadId;
  }

  async removeLeftover(leftover: StagedLeftover): Promise<void> {
    this.assertAvailable();
    this.uploads.delete(leftover.ref);
  }

  /** Staged upload ids currently held, for assertions. */
  stagedUploadIds(): string[] {
    return [...this.uploads.keys()];
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

  private session(uploadId: string): { bytes: Buffer; end: number; lastModified: Date } {
    assertUploadId(uploadId);
    const staged = this.uploads.get(uploadId);
    if (!staged) throw new FileNotFound('No such staged upload');
    return staged;
  }

  private assertAvailable(): void {
    if (!this.available) throw new StorageBackendError(`Storage backend ${this.provider} failed`, { provider: this.provider });
  }
}
