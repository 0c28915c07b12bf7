import type { Readable, Writable } from 'node:stream';

export interface ObjectInfo {
  size: number;
  contentType: string | null;
  etag: string | null;
  lastModified: Date | null;
}

/** Inclusive byte offsets, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What a body from `get` may also offer: to copy itself into a writable with a few buffers of its
 * own, reused once the writable's write callback has fired, where reading it as a stream allocates a
 * new buffer per read (and, at gigabytes per second, keeps V8's collector marking). Once `sendTo` is
 * called the stream itself must not be read; `sendTo` settles when the last write has been flushed
 * and does not end the writable.
 */
export interface SelfSendingBody {
  sendTo(sink: Writable): Promise<void>;
}

export function isSelfSending(body: Readable): body is Readable & SelfSendingBody {
  return typeof (body as Partial<SelfSendingBody>).sendTo === 'function';
}

/**
 * Where file bytes live: local disk, Azure Blob, S3, or memory. Bodies are streams end to end, so
 * memory stays flat whatever the size. Failures are domain errors: FileNotFound for a missing key,
 * StorageBackendError when the provider cannot be reached or refuses.
 */
export interface ObjectStore {
  /** local_disk | azure_blob | aws_s3 | memory: what `files.storage_provider` records. */
  readonly provider: string;
  /** Writes the whole stream under `key` (replacing any object there); resolves with the bytes stored. */
  put(key: string, body: Readable, options: { contentType: string }): Promise<{ size: number }>;
  /** The object's bytes, or only `range` of them, read from the provider (never the whole object for a range). */
  get(key: string, range?: ByteRange): Promise<Readable>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Idempotent: deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** A cheap round trip for /health. */
  ping(): Promise<void>;
}

/**
 * Provider-native chunked uploads for resumable sessions (Azure staged blocks, S3 multipart with small
 * chunks staged until they reach S3's 5 MiB part minimum, numbered part files on disk). Chunks may
 * arrive in any order; putting one twice replaces it.
 */
export interface ChunkedUploads {
  begin(key: string, contentType: string): Promise<{ uploadId: string }>;
  putChunk(key: string, uploadId: string, index: number, body: Buffer): Promise<void>;
  /** Assembles chunks 0..count-1 in order into the object `key`. */
  complete(key: string, uploadId: string, count: number, contentType: string): Promise<{ size: number }>;
  /** Drops whatever was staged; idempotent. */
  abort(key: string, uploadId: string): Promise<void>;
}

export interface SignedUrlOptions {
  expiresInSeconds: number;
  /** Content-Disposition the provider should answer with, e.g. attachment; filename="a.pdf". */
  contentDisposition?: string;
  contentType?: string;
}

/** Provider-signed download URLs (Azure SAS, S3 presigned). The disk provider has none: the service signs its own. */
export interface ObjectUrlSigner {
  signedUrl(key: string, options: SignedUrlOptions): Promise<string>;
}
