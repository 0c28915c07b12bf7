import type { Readable } from 'node:stream';
import type { ByteRange } from './object-store.port';

/** How an upload will be written, fixed when it begins. */
export interface StagingPlan {
  /** The final size: no write reaches past it. */
  sizeBytes: number;
  /**
   * Writes that start at a multiple of partSize (the seed's chunk i at i × partSize) are whole parts,
   * in any order, in parallel: a provider with numbered parts (S3, Azure blocks) may number them
   * offset / partSize. Every part is partSize long except the last.
   */
  partSize: number;
}

export interface StagedWrite {
  /**
   * True when the caller will read this range back (a seed chunk that arrived ahead of the hashed
   * prefix): a provider whose staged parts cannot be read (S3 multipart) keeps a readable copy.
   */
  readBack?: boolean;
}

/**
 * Where the bytes of a resumable upload (tus or the seed's chunks) are written in place, at their
 * offset, into ONE staged object that `complete` turns into the object `key` without copying the bytes
 * (a rename on disk, CompleteMultipartUpload on S3, a block list commit on Azure). The staged object
 * is nowhere readers of `key` can see it until then.
 *
 * What the caller guarantees: a write starts either at a multiple of `partSize` (and then covers a
 * whole part, the last one possibly shorter) or exactly where the previous write of this upload
 * committed by the caller ended (tus appends, sequential, any length). Two writes never overlap in
 * flight. What the provider guarantees: once `write` resolves, those bytes are durable (a process
 * killed right after still finds them); a write whose body fails leaves the bytes before `offset`
 * untouched (its own range is undefined until written again). Writing a range again replaces it.
 */
export interface UploadStaging {
  /** Opens the staged object; the id names it in every later call. */
  begin(key: string, contentType: string, plan: StagingPlan): Promise<{ uploadId: string }>;
  /**
   * Writes `body` at `offset` until the body ends; resolves with the bytes written once they are
   * durable. A body that throws makes the write reject with that error (nothing to commit).
   */
  write(key: string, uploadId: string, offset: number, body: AsyncIterable<Buffer>, options?: StagedWrite): Promise<{ bytes: number }>;
  /** Bytes already written (and durable), for hashing in order what arrived ahead of the prefix. */
  read(key: string, uploadId: string, range: ByteRange): Promise<Readable>;
  /**
   * Makes bytes 0..sizeBytes-1 the object `key` (replacing any), without a copy; the staging is gone
   * afterwards. FileNotFound when the upload id is unknown.
   */
  complete(key: string, uploadId: string, sizeBytes: number, contentType: string): Promise<{ size: number }>;
  /** Drops the staged object; idempotent. */
  abort(key: string, uploadId: string): Promise<void>;
}
