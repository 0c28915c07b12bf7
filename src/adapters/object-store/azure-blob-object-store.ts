import { Readable } from 'node:stream';
import { BlobSASPermissions, BlobServiceClient, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { ByteRange, ChunkedUploads, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable } from '../../domain/storage/errors';
import { assertChunkIndex, assertSafeKey, assertUploadId, chunkName, newUploadId, readyOnce } from './object-key';
import { countedUpload } from './counted-upload';
import { guardWith, providerErrorTranslator } from './storage-errors';

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
    await guard('create container', () => this.container.createIfNotExists());
  }

  async put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }> {
    const blob = this.blob(key);
    await this.ready();
    return countedUpload(body, (counted) =>
      guard('put', () => blob.uploadStream(counted, UPLOAD_BUFFER_BYTES, UPLOAD_CONCURRENCY, { blobHTTPHeaders: { blobContentType: options.contentType } })),
    );
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const blob = this.blob(key);
    if (range && range.end < range.start) throw new RangeNotSatisfiable('Range outside the object');
    if (range) {
      // Azurite never answers a download that starts past the end (Azure says 416): ask the size first.
      const size = (await guard('get', () => blob.getProperties())).contentLength ?? 0;
      if (range.start >= size) throw new RangeNotSatisfiable('Range outside the object');
    }
    const response = await guard('get', () => (range ? blob.download(range.start, range.end - range.start + 1) : blob.download()));
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
    await guard('delete', () => blob.deleteIfExists({ deleteSnapshots: 'include' }));
  }

  async ping(): Promise<void> {
    await guard('ping', () => this.container.getProperties());
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
    await guard('put chunk', () => blob.stageBlock(blockId(uploadId, index), body, body.length));
  }

  async complete(key: string, uploadId: string, count: number, contentType: string): Promise<{ size: number }> {
    const blob = this.blob(key);
    const staged = await guard('list blocks', () => blob.getBlockList('uncommitted'));
    const present = new Set((staged.uncommittedBlocks ?? []).map((b) => b.name));
    const ids = Array.from({ length: count }, (_, i) => blockId(uploadId, i));
    const missing = ids.findIndex((id) => !present.has(id));
    if (missing >= 0) throw new FileNotFound(`Chunk ${missing} was never received`, { missing_chunk: missing });
    await guard('commit blocks', () => blob.commitBlockList(ids, { blobHTTPHeaders: { blobContentType: contentType } }));
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
    if (await guard('abort', () => blob.exists())) return;
    await guard('abort', async () => {
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
}

/** Block ids must share one length within a blob; the upload id keeps two sessions' blocks apart. */
function blockId(uploadId: string, index: number): string {
  assertUploadId(uploadId);
  return Buffer.from(`${uploadId}-${chunkName(index)}`).toString('base64');
}

const translate = providerErrorTranslator('azure_blob', (error) => {
  if (!(error instanceof RestError)) return null;
  if (error.statusCode === 404) return 'not_found';
  if (error.statusCode === 416) return 'range_not_satisfiable';
  return 'refused';
});

const guard = guardWith(translate);
