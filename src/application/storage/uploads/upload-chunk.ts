import { createHash } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { Conflict } from '../../../domain/shared/errors';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import { checkChunk, checkChunkIndex, expectedChunkLength, receivedIndexes, type UploadSession } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { ResumableHasher } from '../../ports/resumable-hasher.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { CompleteResumableUpload } from './complete-resumable-upload';
import { ownedSession } from './owned-session';
import { PrefixHashing } from './prefix-hashing';

export interface UploadChunkInput {
  caller: Caller;
  sessionId: string;
  index: number;
  /** The bytes, or the request body as it streams (never held whole: it goes to its place as it arrives). */
  body: Buffer | AsyncIterable<Buffer>;
  /** Content-Length when the client sent one: a wrong one is refused before a byte is read. */
  declaredLength?: number | null;
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
 * One chunk of a resumable upload, streamed to its place in the staged object (index × chunk_size)
 * while its md5 is checked; recorded once durable. Chunks come in any order and in parallel. The
 * whole upload's md5 and sha256 grow with the prefix received without a gap: the chunk that is next
 * is hashed as it streams, one that arrived ahead is read back once the prefix reaches it. The request
 * whose bytes complete the prefix and wins the move to `completing` completes the upload, with the
 * digests already known: there is no assembly and no second pass over the file.
 */
export class UploadChunk {
  private readonly prefix: PrefixHashing;

  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly staging: UploadStaging,
    private readonly hasher: ResumableHasher,
    private readonly complete: CompleteResumableUpload,
    private readonly clock: Clock,
  ) {
    this.prefix = new PrefixHashing({ sessions, staging, hasher });
  }

  async execute(input: UploadChunkInput): Promise<UploadChunkResult> {
    const session = await ownedSession(this.sessions, input.sessionId, input.caller, this.clock.now());
    checkChunkIndex(session, input.index);
    const length = expectedChunkLength(session, input.index);
    if (typeof input.declaredLength === 'number') checkChunk(session, input.index, input.declaredLength);
    const claimed = input.checksumMd5?.trim().toLowerCase() ?? null;
    const result = { index: input.index, checksumVerified: claimed !== null, file: null };
    const offset = input.index * session.chunkSize;
    const recorded = session.chunks[input.index];
    const hashed = recorded !== undefined && offset + length <= session.receivedBytes;

    if (session.status !== 'uploading' || hashed) {
      // Already taken in (or too late): the bytes are only compared, never written over hashed ones.
      const md5 = await this.drain(session, input, length, claimed);
      if (session.status !== 'uploading') {
        if (recorded === md5 && session.status !== 'failed') return { ...result, session };
        throw new Conflict(`The upload session is ${session.status}`, { session_id: session.id, status: session.status });
      }
      if (recorded !== md5) throw new Conflict('This chunk was already received with other bytes', { session_id: session.id, chunk_index: input.index });
      // A completion that failed at the provider is retried by re-sending the last chunk.
      return this.finish(session, input, result);
    }

    const next = offset === session.receivedBytes;
    const run = next ? await this.hasher.resume(session.hashState) : null;
    const digest = createHash('md5');
    const self = this;
    async function* checked(): AsyncGenerator<Buffer> {
      let size = 0;
      for await (const piece of pieces(input.body)) {
        size += piece.length;
        if (size > length) checkChunk(session, input.index, size);
        digest.update(piece);
        const taken = run?.update(piece);
        if (taken) await taken;
        yield piece;
      }
      checkChunk(session, input.index, size);
      self.verify(digest.copy().digest('hex'), claimed, input.index);
    }
    await this.staging.write(session.key, session.uploadId, offset, checked(), { readBack: !next });
    const md5 = digest.digest('hex');
    const chunk = { index: input.index, md5 };
    let updated = run ? await this.sessions.advance(session.id, offset, offset + length, await run.save(), chunk) : null;
    updated ??= await this.sessions.recordChunk(session.id, input.index, md5);
    // Another request completed (or the cleanup expired) the session while this chunk was written.
    if (!updated) throw new Conflict('The upload session no longer takes chunks', { session_id: session.id });
    updated = await this.prefix.extend(updated);
    return this.finish(updated, input, result);
  }

  private async finish(session: UploadSession, input: UploadChunkInput, result: Omit<UploadChunkResult, 'session'>): Promise<UploadChunkResult> {
    const done = session.receivedBytes === session.sizeBytes && receivedIndexes(session).length === session.totalChunks;
    if (!done || !(await this.sessions.transition(session.id, 'uploading', 'completing'))) return { ...result, session };
    const file = await this.complete.execute(session, { userId: input.caller.userId, role: input.caller.role });
    return { ...result, session: { ...session, status: 'completed' }, file };
  }

  /** The md5 of a chunk that is not written (a late or repeated one), with the same length and checksum checks. */
  private async drain(session: UploadSession, input: UploadChunkInput, length: number, claimed: string | null): Promise<string> {
    const digest = createHash('md5');
    let size = 0;
    for await (const piece of pieces(input.body)) {
      size += piece.length;
      if (size > length) break;
      digest.update(piece);
    }
    checkChunk(session, input.index, size);
    const md5 = digest.digest('hex');
    this.verify(md5, claimed, input.index);
    return md5;
  }

  private verify(md5: string, claimed: string | null, index: number): void {
    if (claimed !== null && claimed !== md5) {
      throw new ChecksumMismatch('Chunk checksum does not match provided value', { chunk_index: index, expected_md5: claimed, actual_md5: md5 });
    }
  }
}

async function* pieces(body: Buffer | AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  if (Buffer.isBuffer(body)) yield body;
  else yield* body;
}
