import { createHash } from 'node:crypto';
import { AbortMultipartUploadCommand, DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ListedObject } from '../../application/ports/object-lister.port';
import type { StagedLeftover } from '../../application/ports/staging-leftovers.port';
import { assertSafeKey } from './object-key';
import { statusOf, translate } from './s3-client';
import { decodeUploadId } from './s3-staging-layout';
import { guardWith } from './storage-errors';

const guard = guardWith(translate);

/** Where S3MultipartStaging keeps its pieces (s3-staging-layout.ts's piecesPrefix): `.staging/mpu-<tag>/`. */
const PIECES = /^\.staging\/mpu-([0-9a-f]{32})\//;

/** What S3ObjectStore's leftovers name: a multipart upload, or a staged piece. */
type Ref = { upload: { key: string; id: string } } | { piece: string };

/**
 * Listing of an S3 bucket for the orphan sweep: objects at valid keys, and what unfinished writes left
 * (multipart uploads never completed nor aborted, whether a resumable upload's or a cut put's, and the
 * staged pieces under `.staging/`).
 */
export class S3Listing {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async *objects(prefix?: string): AsyncGenerator<ListedObject> {
    for await (const object of this.listObjects(prefix)) {
      if (object.key.split('/').some((segment) => segment === '' || segment.startsWith('.'))) continue;
      yield object;
    }
  }

  async *leftovers(): AsyncGenerator<StagedLeftover> {
    let KeyMarker: string | undefined;
    let UploadIdMarker: string | undefined;
    do {
      const page = await guard('list uploads', () => this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, KeyMarker, UploadIdMarker })));
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId) continue;
        const ref: Ref = { upload: { key: upload.Key, id: upload.UploadId } };
        yield { ref: JSON.stringify(ref), kind: 'staged_upload', uploadTag: tagOf(upload.UploadId), size: 0, lastModified: upload.Initiated ?? new Date(0) };
      }
      const more = page.IsTruncated === true && (page.NextKeyMarker !== undefined || page.NextUploadIdMarker !== undefined);
      KeyMarker = more ? page.NextKeyMarker : undefined;
      UploadIdMarker = more ? page.NextUploadIdMarker : undefined;
    } while (KeyMarker !== undefined || UploadIdMarker !== undefined);
    for await (const object of this.listObjects('.staging/')) {
      const match = PIECES.exec(object.key);
      const ref: Ref = { piece: object.key };
      yield { ref: JSON.stringify(ref), kind: 'staged_upload', uploadTag: match ? match[1]! : null, size: object.size, lastModified: object.lastModified };
    }
  }

  /** The tag of the multipart upload inside an S3 staging id (`<part bytes>.<size>.<UploadId>`). */
  uploadTagOf(uploadId: string): string {
    try {
      return tagOf(decodeUploadId(uploadId).multipartId);
    } catch {
      return uploadId;
    }
  }

  async remove(leftover: StagedLeftover): Promise<void> {
    const ref = JSON.parse(leftover.ref) as Ref;
    if ('upload' in ref) {
      assertSafeKey(ref.upload.key);
      try {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: ref.upload.key, UploadId: ref.upload.id }));
      } catch (error) {
        if (statusOf(error) !== 404) throw translate('abort', error);
      }
      return;
    }
    if (!ref.piece.startsWith('.staging/') || ref.piece.split('/').some((s) => s === '..')) throw new Error('Not a leftover of this store');
    await guard('delete staged', () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: ref.piece })));
  }

  private async *listObjects(Prefix?: string): AsyncGenerator<ListedObject> {
    let ContinuationToken: string | undefined;
    do {
      const page = await guard('list', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: Prefix || undefined, ContinuationToken })));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }
}

/** As piecesPrefix names a multipart upload's pieces, so an upload and its pieces carry one tag. */
function tagOf(multipartId: string): string {
  return createHash('sha256').update(multipartId).digest('hex').slice(0, 32);
}
