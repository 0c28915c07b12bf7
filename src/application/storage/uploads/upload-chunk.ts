import { createHash } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { Conflict } from '../../../domain/shared/errors';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import { checkChunk, checkChunkIndex, expectedChunkLength, receivedIndexes, type UploadSession } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { ChunkedUploads } from '../../ports/object-store.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { CompleteResumableUpload } from './complete-resumable-upload';
import { ownedSession } from './owned-session';

export interface UploadChunkInput {
  caller: Caller;
  sessionId: string;
  index: number;
  /**
   * The bytes, or a reader of the request body called once the session and index are known, with the
   * chunk's expected length: it may stop past that length (the chunk is then refused), so no request
   * is buffered beyond what its chunk can be.
   */
  body: Buffer | ((maxBytes: number) => Promise<Buffer>);
  /** X-Chunk-Checksum (md5, hex); null when the client sent none. */
  checksumMd5: string | null;
}

export interface UploadChunkResult {
  session: UploadSession;
  index: number;
  checksumVerified: boolean;
  /** Set by the request whose chunk completed the upload. */
  file: StoredFile | null;
}

/**
 * One chunk of a resumable upload: checked (index, length, md5), staged at the provider, recorded.
 * Chunks come in any order and in parallel; re-sending one replaces it (idempotent). The request that
 * records the last missing chunk and wins the move to `completing` completes the upload.
 */
export class UploadChunk {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly chunked: ChunkedUploads,
    private readonly complete: CompleteResumableUpload,
    private readonly clock: Clock,
  ) {}

  async execute(input: UploadChunkInput): Promise<UploadChunkResult> {
    const session = await ownedSession(this.sessions, input.sessionId, input.caller, this.clock.now());
    checkChunkIndex(session, input.index);
    const body = typeof input.body === 'function' ? await input.body(expectedChunkLength(session, input.index)) : input.body;
    checkChunk(session, input.index, body.length);
    const md5 = createHash('md5').update(body).digest('hex');
    const expected = input.checksumMd5?.trim().toLowerCase() ?? null;
    if (expected !== null && expected !== md5) {
      throw new ChecksumMismatch('Chunk checksum does not match provided value', { chunk_index: input.index, expected_md5: expected, actual_md5: md5 });
    }
    const result = { index: input.index, checksumVerified: expected !== null, file: null };
    if (session.status !== 'uploading') {
      // A late duplicate of a chunk already taken in changes nothing; anything else is too late.
      if (session.chunks[input.index] === md5 && session.status !== 'failed') return { ...result, session };
      throw new Conflict(`The upload session is ${session.status}`, { session_id: session.id, status: session.status });
    }
    await this.chunked.putChunk(session.key, session.uploadId, input.index, body);
    const updated = await this.sessions.recordChunk(session.id, input.index, md5);
    // Another request completed (or the cleanup expired) the session while this chunk was staged.
    if (!updated) throw new Conflict('The upload session no longer takes chunks', { session_id: session.id });
    if (receivedIndexes(updated).length < updated.totalChunks) return { ...result, session: updated };
    if (!(await this.sessions.transition(updated.id, 'uploading', 'completing'))) return { ...result, session: updated };
    const file = await this.complete.execute(updated, { userId: input.caller.userId, role: input.caller.role });
    return { ...result, session: { ...updated, status: 'completed' }, file };
  }
}
