import type { Readable } from 'node:stream';
import { BlobSASPermissions, BlobServiceClient, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import type { ListedObject, ObjectLister } from '../../application/ports/object-lister.port';
import type { ByteRange, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../application/ports/object-store.port';
import type { StagedLeftover, StagingLeftovers } from '../../application/ports/staging-leftovers.port';
import type { StagedWrite, StagingPlan, UploadStaging } from '../../application/ports/upload-staging.port';
import { RangeNotSatisfiable } from '../../domain/storage/errors';
import { AzureBlockStaging } from './azure-block-staging';
import { AzureListing } from './azure-listing';
import { assertSafeKey, readyOnce } from './object-key';
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
 * stream commits nothing); resumable uploads are blocks staged at their offset and committed as a
 * list (azure-block-staging.ts); downloads are signed with SAS.
 */
export class AzureBlobObjectStore implements ObjectStore, UploadStaging, ObjectUrlSigner, ObjectLister, StagingLeftovers {
  readonly provider = 'azure_blob';
  private readonly container: ContainerClient;
  private readonly ready = readyOnce(() => this.ensureReady());
  private readonly staging: AzureBlockStaging;
  private readonly listing: AzureListing;

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
    this.staging = new AzureBlockStaging(this.container, this.ready, translate);
    this.listing = new AzureListing(this.container, translate);
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

  begin(key: string, contentType: string, plan: StagingPlan): Promise<{ uploadId: string }> {
    return this.staging.begin(key, contentType, plan);
  }

  write(key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>, options?: StagedWrite): Promise<{ bytes: number }> {
    return this.staging.write(key, uploadId, offset, body, options);
  }

  read(key: string, uploadId: string, range: ByteRange): Promise<Readable> {
    return this.staging.read(key, uploadId, range);
  }

  complete(key: string, uploadId: string, sizeBytes: number, contentType: string): Promise<{ size: number }> {
    return this.staging.complete(key, uploadId, sizeBytes, contentType);
  }

  abort(key: string, uploadId: string): Promise<void> {
    return this.staging.abort(key, uploadId);
  }

  list(prefix?: string): AsyncIterable<ListedObject> {
    return this.listing.objects(prefix);
  }

  /** Blobs holding only uncommitted blocks, and the readable copies of staged ranges. */
  leftovers(): AsyncIterable<StagedLeftover> {
    return this.listing.leftovers();
  }

  uploadTagOf(uploadId: string): string {
    return uploadId;
  }

  removeLeftover(leftover: StagedLeftover): Promise<void> {
    return this.listing.remove(leftover);
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

const translate = providerErrorTranslator('azure_blob', (error) => {
  if (!(error instanceof RestError)) return null;
  if (error.statusCode === 404) return 'not_found';
  if (error.statusCode === 416) return 'range_not_satisfiable';
  return 'refused';
});

const guard = guardWith(translate);
