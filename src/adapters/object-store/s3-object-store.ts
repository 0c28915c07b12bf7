import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ByteRange, ChunkedUploads, ObjectInfo, ObjectStore, ObjectUrlSigner, SignedUrlOptions } from '../../application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable } from '../../domain/storage/errors';
import { assertChunkIndex, assertSafeKey, assertUploadId, chunkName, newUploadId, readyOnce } from './object-key';
import { countedUpload } from './counted-upload';
import { createS3Client, statusOf, translate, type S3Settings } from './s3-client';
import { guardWith } from './storage-errors';

export type { S3Settings } from './s3-client';

const guard = guardWith(translate);

/** S3's minimum multipart part size; lib-storage uses it as the part size too. */
const PART_BYTES = 5 * 1024 * 1024;
/** Chunks of resumable uploads wait here: S3 parts under 5 MiB (but the last) are refused. */
const STAGING_PREFIX = '.staging/';

/**
 * Amazon S3 or a compatible server. Puts stream through lib-storage's Upload (one PutObject when
 * small, multipart otherwise, aborted on failure); chunks are staged as objects and streamed in order
 * into the final object on complete, because clients pick chunk sizes below S3's part minimum.
 */
export class S3ObjectStore implements ObjectStore, ChunkedUploads, ObjectUrlSigner {
  readonly provider = 'aws_s3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly ready = readyOnce(() => this.ensureReady());

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = createS3Client(settings);
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

  async begin(key: string, _contentType?: string): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    return { uploadId: newUploadId() };
  }

  async putChunk(_key: string, uploadId: string, index: number, body: Buffer): Promise<void> {
    assertChunkIndex(index);
    const Key = stagedKey(uploadId, index);
    await this.ready();
    await guard('put chunk', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: body, ContentLength: body.length })));
  }

  async complete(key: string, uploadId: string, count: number, contentType: string): Promise<{ size: number }> {
    assertSafeKey(key);
    const staged = new Set(await this.stagedKeys(uploadId));
    for (let i = 0; i < count; i++) {
      if (!staged.has(stagedKey(uploadId, i))) throw new FileNotFound(`Chunk ${i} was never received`, { missing_chunk: i });
    }
    const keys = Array.from({ length: count }, (_, i) => stagedKey(uploadId, i));
    const size = await this.upload(key, Readable.from(this.concat(keys)), contentType);
    await this.deleteKeys([...staged]);
    return size;
  }

  async abort(_key: string, uploadId: string): Promise<void> {
    await this.deleteKeys(await this.stagedKeys(uploadId));
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

  /** Staged chunks one after the other, each streamed, never the whole object in memory. */
  private async *concat(keys: string[]): AsyncGenerator<Buffer> {
    for (const Key of keys) {
      const response = await guard('read chunk', () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key })));
      yield* response.Body as Readable;
    }
  }

  private async stagedKeys(uploadId: string): Promise<string[]> {
    assertUploadId(uploadId);
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await guard('list chunks', () =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${STAGING_PREFIX}${uploadId}/`, ContinuationToken })),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await guard('delete chunks', () => this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } })));
    }
  }
}

function stagedKey(uploadId: string, index: number): string {
  assertUploadId(uploadId);
  return `${STAGING_PREFIX}${uploadId}/${chunkName(index)}`;
}
