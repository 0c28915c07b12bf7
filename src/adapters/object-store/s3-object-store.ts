import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ListedObject, ObjectLister } from '../../application/ports/object-lister.port';
import type { ByteRange, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../application/ports/object-store.port';
import type { StagedLeftover, StagingLeftovers } from '../../application/ports/staging-leftovers.port';
import type { StagedWrite, StagingPlan, UploadStaging } from '../../application/ports/upload-staging.port';
import { RangeNotSatisfiable } from '../../domain/storage/errors';
import { assertSafeKey, readyOnce } from './object-key';
import { countedUpload } from './counted-upload';
import { S3Listing } from './s3-listing';
import { S3MultipartStaging } from './s3-multipart-staging';
import { createS3Client, statusOf, translate, type S3Settings } from './s3-client';
import { guardWith } from './storage-errors';

export type { S3Settings } from './s3-client';

const guard = guardWith(translate);

/** S3's minimum multipart part size; lib-storage uses it as the part size too. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * Amazon S3 or a compatible server. Puts stream through lib-storage's Upload (one PutObject when
 * small, multipart otherwise, aborted on failure); resumable uploads are one multipart upload each,
 * written part by part as the bytes arrive and completed by S3 (s3-multipart-staging.ts).
 */
export class S3ObjectStore implements ObjectStore, UploadStaging, ObjectUrlSigner, ObjectLister, StagingLeftovers {
  readonly provider = 'aws_s3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly ready = readyOnce(() => this.ensureReady());
  private readonly staging: S3MultipartStaging;
  private readonly listing: S3Listing;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = createS3Client(settings);
    this.staging = new S3MultipartStaging(this.client, this.bucket, this.ready);
    this.listing = new S3Listing(this.client, this.bucket);
  }

  close(): void {
    this.client.destroy();
  }

  async ensureReady(): Promise<void> {
    await guard('create bucket', async () => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
        await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
      }
    });
  }

  async put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }> {
    assertSafeKey(key);
    return this.upload(key, body, options.contentType);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    if (range && range.end < range.start) throw new RangeNotSatisfiable('Range outside the object');
    const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
    const response = await guard('get', () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range })));
    return response.Body as Readable;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    assertSafeKey(key);
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: r.ContentLength ?? 0, contentType: r.ContentType ?? null, etag: r.ETag ?? null, lastModified: r.LastModified ?? null };
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw translate('head', error);
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await guard('delete', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async ping(): Promise<void> {
    await guard('ping', () => this.client.send(new HeadBucketCommand({ Bucket: this.bucket })));
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

  /** Multipart uploads never completed nor aborted, and the staged pieces beside them. */
  leftovers(): AsyncIterable<StagedLeftover> {
    return this.listing.leftovers();
  }

  uploadTagOf(uploadId: string): string {
    return this.listing.uploadTagOf(uploadId);
  }

  removeLeftover(leftover: StagedLeftover): Promise<void> {
    return this.listing.remove(leftover);
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<string> {
    assertSafeKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: options.contentDisposition,
      ResponseContentType: options.contentType,
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  private async upload(key: string, body: Readable, contentType: string): Promise<{ size: number }> {
    await this.ready();
    return countedUpload(body, (counted) =>
      guard('put', () =>
        new Upload({ client: this.client, params: { Bucket: this.bucket, Key: key, Body: counted, ContentType: contentType }, partSize: PART_BYTES, queueSize: 4 }).done(),
      ),
    );
  }
}
