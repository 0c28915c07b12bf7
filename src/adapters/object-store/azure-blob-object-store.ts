import { Readable } from 'node:stream';
import { BlobSASPermissions, BlobServiceClient, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { ByteRange, ChunkedUploads, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable } from '../../domain/storage/errors';
import { ByteCounter, assertChunkIndex, assertSafeKey, assertUploadId, chunkName, newUploadId, readyOnce } from './object-key';
import { backendError, isNetworkError } from './storage-errors';

export interface AzureBlobSettings {
  containerName: string;
  /** Either a connection string, or an account and key (with an endpoint URL for Azurite or sovereign clouds). */
  connectionString?: string;
  accountName?: string;
  accountKey?: string;
  url?: string;
  /** Attempts per call; the SDK default of 4 with back-off makes an outage take many seconds to report. */
  maxTries?: number;
}

const UPLOAD_BUFFER_BYTES = 4 * 1024 * 1024;
const UPLOAD_CONCURRENCY = 4;

/**
 * Azure Blob Storage. Puts stream through uploadStream (blocks staged, then one commit, so a failed
 * stream commits nothing); resumable chunks are native staged blocks; downloads are signed with SAS.
 */
export class AzureBlobObjectStore implements ObjectStore, ChunkedUploads, ObjectUrlSigner {
  readonly provider = 'azure_blob';
  private readonly container: ContainerClient;
  private readonly ready = readyOnce(() => this.ensureReady());

  constructor(settings: AzureBlobSettings) {
    const options = { retryOptions: { maxTries: settings.maxTries ?? 3, tryTimeoutInMs: 60_000 } };
    const service = settings.connectionString
      ? BlobServiceClient.fromConnectionString(settings.connectionString, options)
      : new BlobServiceClient(
          settings.url ?? `https://${settings.accountName}.blob.core.windows.net`,
          new StorageSharedKeyCredential(settings.accountName ?? '', settings.accountKey ?? ''),
          options,
        );
    this.container = service.getContainerClient(settings.containerName);
  }

  async ensureReady(): Promise<void> {
    await this.guard('create container', () => this.container.createIfNotExists());
  }

  async put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }> {
    const blob = this.blob(key);
    await this.ready();
    const counter = new ByteCounter();
    let sourceError: unknown;
    // uploadStream does not notice a source that fails, so the failure is forwarded into what it reads.
    body.once('error', (error) => {
      sourceError = error;
      counter.destroy(error);
    });
    body.pipe(counter);
    try {
      await this.guard('put', () =>
        blob.uploadStream(counter, UPLOAD_BUFFER_BYTES, UPLOAD_CONCURRENCY, { blobHTTPHeaders: { blobContentType: options.contentType } }),
      );
    } catch (error) {
      body.unpipe(counter);
      counter.destroy();
      // The client's own failure (it went away) is reported as such, not as the provider's.
      throw sourceError ?? error;
    }
    return { size: counter.bytes };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const blob = this.blob(key);
    if (range && range.end < range.start) throw new RangeNotSatisfiable('Range outside the object');
    if (range) {
      // Azurite never answers a download that starts past the end (Azure says 416): ask the size first.
      const size = (await this.guard('get', () => blob.getProperties())).contentLength ?? 0;
      if (range.start >= size) throw new RangeNotSatisfiable('Range outside the object');
    }
    const response = await this.guard('get', () => (range ? blob.download(range.start, range.end - range.start + 1) : blob.download()));
    return response.readableStreamBody as Readable;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const blob = this.blob(key);
    try {
      const p = await blob.getProperties();
      return { size: p.contentLength ?? 0, contentType: p.contentType ?? null, etag: p.etag ?? null, lastModified: p.lastModified ?? null };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return null;
      throw translate('head', error);
    }
  }

  async delete(key: string): Promise<void> {
    const blob = this.blob(key);
    await this.guard('delete', () => blob.deleteIfExists({ deleteSnapshots: 'include' }));
  }

  async ping(): Promise<void> {
    await this.guard('ping', () => this.container.getProperties());
  }

  async begin(key: string, _contentType?: string): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    return { uploadId: newUploadId() };
  }

  async putChunk(key: string, uploadId: string, index: number, body: Buffer): Promise<void> {
    assertChunkIndex(index);
    const blob = this.blob(key);
    await this.ready();
    // Staging a block id again replaces the block: a re-sent chunk is idempotent for free.
    await this.guard('put chunk', () => blob.stageBlock(blockId(uploadId, index), body, body.length));
  }

  async complete(key: string, uploadId: string, count: number, contentType: string): Promise<{ size: number }> {
    const blob = this.blob(key);
    const staged = await this.guard('list blocks', () => blob.getBlockList('uncommitted'));
    const present = new Set((staged.uncommittedBlocks ?? []).map((b) => b.name));
    const ids = Array.from({ length: count }, (_, i) => blockId(uploadId, i));
    const missing = ids.findIndex((id) => !present.has(id));
    if (missing >= 0) throw new FileNotFound(`Chunk ${missing} was never received`, { missing_chunk: missing });
    await this.guard('commit blocks', () => blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: contentType } }));
    const size = (staged.uncommittedBlocks ?? []).filter((b) => ids.includes(b.name)).reduce((sum, b) => sum + b.size, 0);
    return { size };
  }

  /**
   * Azure has no call that drops uncommitted blocks (they expire after 7 days). Committing an empty
   * list does drop them, but also empties a committed blob, so it is done only where none exists yet.
   */
  async abort(key: string, uploadId: string): Promise<void> {
    assertUploadId(uploadId);
    const blob = this.blob(key);
    if (await this.guard('abort', () => blob.exists())) return;
    await this.guard('abort', async () => {
      await blob.commitBlockList([]);
      await blob.deleteIfExists();
    });
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    const blob = this.blob(key);
    return blob.generateSasUrl({
      permissions: BlobSASPermissions.parse('r'),
      startsOn: new Date(Date.now() - 60_000),
      expiresOn: new Date(Date.now() + options.expiresInSeconds * 1000),
      contentDisposition: options.contentDisposition,
      contentType: options.contentType,
    });
  }

  private blob(key: string) {
    assertSafeKey(key);
    return this.container.getBlockBlobClient(key);
  }

  private async guard<T>(operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translate(operation, error);
    }
  }
}

/** Block ids must share one length within a blob; the upload id keeps two sessions' blocks apart. */
function blockId(uploadId: string, index: number): string {
  assertUploadId(uploadId);
  return Buffer.from(`${uploadId}-${chunkName(index)}`).toString('base64');
}

function translate(operation: string, error: unknown): unknown {
  if (error instanceof RestError) {
    if (error.statusCode === 404) return new FileNotFound('No object at this key');
    if (error.statusCode === 416) return new RangeNotSatisfiable('Range outside the object');
    return backendError('azure_blob', operation, error);
  }
  // Anything else is the source stream's own failure (a client that went away), not the provider's.
  return isNetworkError(error) ? backendError('azure_blob', operation, error) : error;
}
