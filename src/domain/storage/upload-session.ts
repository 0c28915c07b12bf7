import { ValidationFailed } from '../shared/errors';

export const MIN_CHUNK_SIZE = 256 * 1024;
export const MAX_CHUNK_SIZE = 100 * 1024 * 1024;
export const DEFAULT_CHUNK_SIZE = 5 * 1024 * 1024;

/** completing: the upload is being completed (one request holds it); expired: the staged object dropped. */
export type UploadSessionStatus = 'uploading' | 'completing' | 'completed' | 'failed' | 'expired';

/** A resumable upload in progress (table upload_sessions); it outlives the process that began it. */
export interface UploadSession {
  id: string;
  userId: string;
  /** The id the file will have once complete. */
  fileId: string;
  /** Object key the staged object becomes once complete. */
  key: string;
  /** The UploadStaging id of the staged object. */
  uploadId: string;
  filename: string;
  sizeBytes: number;
  mimeType: string;
  chunkSize: number;
  totalChunks: number;
  projectId: string | null;
  metadata: Record<string, unknown>;
  checksumMd5: string | null;
  /** md5 (hex) of each chunk received, by index. */
  chunks: Record<number, string>;
  /**
   * Bytes 0..receivedBytes-1 are durable in the staged object and hashed (tus's Upload-Offset; for the
   * seed's chunks, the prefix without a gap).
   */
  receivedBytes: number;
  /** The md5 and sha256 state after those bytes (ResumableHasher), so any process continues it; null before any. */
  hashState: Uint8Array | null;
  status: UploadSessionStatus;
  expiresAt: Date;
  createdAt: Date;
}

export function totalChunksFor(sizeBytes: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(sizeBytes / chunkSize));
}

/** Every chunk is chunk_size long except the last, which holds what remains (an empty file is one empty chunk). */
export function expectedChunkLength(session: Pick<UploadSession, 'sizeBytes' | 'chunkSize' | 'totalChunks'>, index: number): number {
  if (index < session.totalChunks - 1) return session.chunkSize;
  return session.sizeBytes - session.chunkSize * (session.totalChunks - 1);
}

/** 400 unless `index` names a chunk of the session. */
export function checkChunkIndex(session: Pick<UploadSession, 'totalChunks'>, index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= session.totalChunks) {
    throw new ValidationFailed(`Chunk index must be between 0 and ${session.totalChunks - 1}`, [
      { path: 'headers.x-chunk-index', message: `expected 0..${session.totalChunks - 1}` },
    ]);
  }
}

/** 400 unless `index` names a chunk of the session and `length` is that chunk's length. */
export function checkChunk(session: Pick<UploadSession, 'sizeBytes' | 'chunkSize' | 'totalChunks'>, index: number, length: number): void {
  checkChunkIndex(session, index);
  const expected = expectedChunkLength(session, index);
  if (length !== expected) {
    throw new ValidationFailed(`Chunk ${index} must be ${expected} bytes, got ${length}`, [
      { path: 'body', message: `expected ${expected} bytes` },
    ]);
  }
}

export function receivedIndexes(session: Pick<UploadSession, 'chunks'>): number[] {
  return Object.keys(session.chunks).map(Number).sort((a, b) => a - b);
}

export function isExpired(session: Pick<UploadSession, 'expiresAt'>, now: Date): boolean {
  return now.getTime() >= session.expiresAt.getTime();
}

/** Bytes received without a gap from the start (tus's Upload-Offset): whole chunks 0..n-1. */
export function contiguousOffset(session: Pick<UploadSession, 'chunks' | 'chunkSize' | 'sizeBytes' | 'totalChunks'>): number {
  let n = 0;
  while (n < session.totalChunks && session.chunks[n] !== undefined) n += 1;
  return Math.min(n * session.chunkSize, session.sizeBytes);
}
