import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { ByteRange } from '../../application/ports/object-store.port';
import type { StagedWrite, StagingPlan, UploadStaging } from '../../application/ports/upload-staging.port';
import { FileNotFound } from '../../domain/storage/errors';
import { BodyReader } from './body-reader';
import { assertSafeKey } from './object-key';
import { statusOf, translate } from './s3-client';
import { teeBody } from './tee-body';
import { guardWith } from './storage-errors';
import {
  MIN_PART_BYTES,
  cover,
  decodeUploadId,
  encodeUploadId,
  layoutFor,
  parsePiece,
  partCount,
  partPrefix,
  partRange,
  pieceKey,
  piecesPrefix,
  type Piece,
  type StagingLayout,
} from './s3-staging-layout';

const guard = guardWith(translate);

/**
 * Resumable uploads as one S3 multipart upload, assembled by CompleteMultipartUpload: no byte goes
 * through the service twice, and nothing is kept in memory between requests (the next one may reach
 * another instance). A write buffers at most one 5 MiB part (a part longer than that, a seed chunk
 * of more than 5 MiB, is streamed to UploadPart); bytes that do not make a whole part yet are kept as
 * small objects (pieces, see s3-staging-layout.ts) until a later write completes the part.
 */
export class S3MultipartStaging implements UploadStaging {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly ready: () => Promise<void>,
  ) {}

  async begin(key: string, contentType: string, plan: StagingPlan): Promise<{ uploadId: string }> {
    assertSafeKey(key);
    await this.ready();
    const created = await guard('begin upload', () => this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key, ContentType: contentType })));
    return { uploadId: encodeUploadId(layoutFor(plan, created.UploadId!)) };
  }

  async write(key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>, options: StagedWrite = {}): Promise<{ bytes: number }> {
    assertSafeKey(key);
    const layout = decodeUploadId(uploadId);
    const reader = new BodyReader(body);
    let cursor = offset;
    try {
      while (await reader.hasMore()) {
        if (cursor >= layout.sizeBytes) throw new Error('The write goes past the size the upload was planned for');
        const index = Math.floor(cursor / layout.partBytes);
        cursor += await this.writeIntoPart(key, layout, index, cursor, reader, options.readBack ?? false);
      }
      return { bytes: cursor - offset };
    } catch (error) {
      throw reader.failure ?? error;
    }
  }

  async read(key: string, uploadId: string, range: ByteRange): Promise<Readable> {
    assertSafeKey(key);
    const layout = decodeUploadId(uploadId);
    const end = Math.min(range.end + 1, layout.sizeBytes);
    const slices = cover(await this.listPieces(piecesPrefix(layout)), range.start, end);
    if (!slices) throw new FileNotFound('Those bytes were not kept readable', { start: range.start, end: range.end });
    return Readable.from(this.readSlices(slices));
  }

  async complete(key: string, uploadId: string, sizeBytes: number, contentType: string): Promise<{ size: number }> {
    assertSafeKey(key);
    const layout = decodeUploadId(uploadId);
    if (sizeBytes !== layout.sizeBytes) throw new Error(`The upload was planned for ${layout.sizeBytes} bytes, not ${sizeBytes}`);
    const uploaded = await this.listParts(key, layout);
    if (sizeBytes === 0) {
      await this.abort(key, uploadId);
      await guard('complete', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: Buffer.alloc(0), ContentType: contentType })));
      return { size: 0 };
    }
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    for (let index = 0; index < partCount(layout); index++) {
      const { start, end } = partRange(layout, index);
      const listed = uploaded.get(index + 1);
      const etag = listed && listed.size === end - start ? listed.etag : await this.assemblePart(key, layout, index);
      if (!etag) throw new FileNotFound(`Bytes ${start}-${end - 1} were never written`, { start, end: end - 1 });
      parts.push({ PartNumber: index + 1, ETag: etag });
    }
    await guard('complete', () =>
      this.client.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: layout.multipartId, MultipartUpload: { Parts: parts } })),
    );
    await this.deletePieces(layout);
    return { size: sizeBytes };
  }

  async abort(key: string, uploadId: string): Promise<void> {
    assertSafeKey(key);
    const layout = decodeUploadId(uploadId);
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: layout.multipartId }));
    } catch (error) {
      if (statusOf(error) !== 404) throw translate('abort', error);
    }
    await this.deletePieces(layout);
  }

  /** Writes from `cursor` up to the end of part `index` at most; answers the bytes written. */
  private async writeIntoPart(key: string, layout: StagingLayout, index: number, cursor: number, reader: BodyReader, readBack: boolean): Promise<number> {
    const { start, end } = partRange(layout, index);
    if (cursor === start && end - start > MIN_PART_BYTES) {
      const head = await reader.take(MIN_PART_BYTES);
      if (head.length < MIN_PART_BYTES) return this.keepPiece(key, layout, index, cursor, head);
      await this.streamPart(key, layout, index, Readable.from(prepend(head, reader.stream(end - start - head.length))), readBack);
      return end - start;
    }
    const bytes = await reader.take(end - cursor);
    if (cursor + bytes.length < end) return this.keepPiece(key, layout, index, cursor, bytes);
    const before = cursor === start ? [] : await this.readPieces(layout, index, start, cursor);
    if (!before) return this.keepPiece(key, layout, index, cursor, bytes);
    await Promise.all([
      this.uploadPart(key, layout, index, before.length ? Buffer.concat([...before, bytes]) : bytes),
      readBack ? this.putPiece(layout, index, cursor, bytes) : undefined,
    ]);
    return bytes.length;
  }

  /**
   * Bytes that do not make a whole part: kept as a piece. Then, if the pieces now cover the part (the
   * seed's small chunks arrive in any order, in parallel: whichever lands last sees them all), the
   * part is uploaded from them.
   */
  private async keepPiece(key: string, layout: StagingLayout, index: number, cursor: number, bytes: Buffer): Promise<number> {
    if (bytes.length === 0) return 0;
    await this.putPiece(layout, index, cursor, bytes);
    await this.assemblePart(key, layout, index);
    return bytes.length;
  }

  /** Uploads part `index` from its pieces, when they cover it; answers its ETag, or null. */
  private async assemblePart(key: string, layout: StagingLayout, index: number): Promise<string | null> {
    const { start, end } = partRange(layout, index);
    const buffers = await this.readPieces(layout, index, start, end);
    return buffers ? this.uploadPart(key, layout, index, Buffer.concat(buffers)) : null;
  }

  private async readPieces(layout: StagingLayout, index: number, start: number, end: number): Promise<Buffer[] | null> {
    const slices = cover(await this.listPieces(partPrefix(layout, index)), start, end);
    if (!slices) return null;
    return Promise.all(slices.map(async (slice) => bytesOf(await this.getSlice(slice.piece, slice.from, slice.to))));
  }

  private async *readSlices(slices: Array<{ piece: Piece; from: number; to: number }>): AsyncGenerator<Buffer> {
    for (const slice of slices) yield* await this.getSlice(slice.piece, slice.from, slice.to);
  }

  private async getSlice(piece: Piece, from: number, to: number): Promise<Readable> {
    const Range = `bytes=${from - piece.start}-${to - piece.start - 1}`;
    const response = await guard('read staged', () => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: piece.key, Range })));
    return response.Body as Readable;
  }

  private async putPiece(layout: StagingLayout, index: number, start: number, bytes: Buffer): Promise<void> {
    const Key = pieceKey(layout, index, start, start + bytes.length);
    await guard('stage bytes', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: bytes, ContentLength: bytes.length })));
  }

  private async uploadPart(key: string, layout: StagingLayout, index: number, bytes: Buffer): Promise<string> {
    const response = await guard('upload part', () =>
      this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: layout.multipartId, PartNumber: index + 1, Body: bytes, ContentLength: bytes.length })),
    );
    return response.ETag!;
  }

  /** A whole part longer than the buffer, streamed; with a readable copy beside it when asked. */
  private async streamPart(key: string, layout: StagingLayout, index: number, body: Readable, readBack: boolean): Promise<void> {
    const { start, end } = partRange(layout, index);
    const ContentLength = end - start;
    const [toPart, toPiece] = readBack ? teeBody(body) : [body, null];
    // Either request failing stops the body, and so the other request, rather than leave it waiting.
    const stopping = (error: unknown) => {
      body.destroy(error as Error);
      throw error;
    };
    await Promise.all([
      guard('upload part', () =>
        this.client.send(new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: layout.multipartId, PartNumber: index + 1, Body: toPart, ContentLength })),
      ).catch(stopping),
      toPiece
        ? guard('stage bytes', () => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: pieceKey(layout, index, start, end), Body: toPiece, ContentLength }))).catch(stopping)
        : undefined,
    ]);
  }

  /** The parts S3 holds, by number. */
  private async listParts(key: string, layout: StagingLayout): Promise<Map<number, { etag: string; size: number }>> {
    const parts = new Map<number, { etag: string; size: number }>();
    let PartNumberMarker: string | undefined;
    do {
      const page = await guard('list parts', () =>
        this.client.send(new ListPartsCommand({ Bucket: this.bucket, Key: key, UploadId: layout.multipartId, PartNumberMarker })),
      );
      for (const part of page.Parts ?? []) parts.set(part.PartNumber!, { etag: part.ETag!, size: part.Size ?? 0 });
      PartNumberMarker = page.IsTruncated ? String(page.NextPartNumberMarker) : undefined;
    } while (PartNumberMarker);
    return parts;
  }

  private async listPieces(prefix: string): Promise<Piece[]> {
    return (await this.listKeys(prefix)).map(parsePiece).filter((p): p is Piece => p !== null);
  }

  private async listKeys(Prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await guard('list staged', () => this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix, ContinuationToken })));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return keys;
  }

  private async deletePieces(layout: StagingLayout): Promise<void> {
    const keys = await this.listKeys(piecesPrefix(layout));
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await guard('delete staged', () => this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects, Quiet: true } })));
    }
  }
}

async function* prepend(head: Buffer, rest: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  yield head;
  yield* rest;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}
