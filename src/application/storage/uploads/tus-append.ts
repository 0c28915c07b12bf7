import { createHash } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { Conflict } from '../../../domain/shared/errors';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import { contiguousOffset, expectedChunkLength } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import { ownedSession } from './owned-session';
import type { UploadChunk } from './upload-chunk';

export interface TusAppendInput {
  caller: Caller;
  sessionId: string;
  /** Upload-Offset: must be where the upload stands. */
  offset: number;
  body: AsyncIterable<Buffer>;
  /** Upload-Checksum of the whole PATCH body: the body is then held until it is verified. */
  checksum: { algorithm: 'md5' | 'sha1'; digest: Buffer } | null;
  maxBufferedBytes: number;
}

/**
 * A tus PATCH over a resumable session: the bytes are cut into the session's chunks and each whole one
 * goes through UploadChunk (so tus and the seed protocol share staging, records and completion). A tail
 * shorter than a chunk (other than the last) is not kept: the answered offset tells the client to resend it.
 */
export class TusAppend {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly uploadChunk: UploadChunk,
    private readonly clock: Clock,
  ) {}

  async current(caller: Caller, sessionId: string) {
    const session = await ownedSession(this.sessions, sessionId, caller, this.clock.now());
    return { session, offset: session.status === 'completed' ? session.sizeBytes : contiguousOffset(session) };
  }

  async execute(input: TusAppendInput): Promise<{ offset: number; file: StoredFile | null }> {
    const { session, offset } = await this.current(input.caller, input.sessionId);
    if (input.offset !== offset) throw new Conflict('Upload-Offset does not match the upload', { expected_offset: offset, offset: input.offset });
    const body = input.checksum ? [await verified(input.body, input.checksum, input.maxBufferedBytes)] : input.body;
    let index = Math.floor(offset / session.chunkSize);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let file: StoredFile | null = null;
    let committed = offset;
    for await (const part of body) {
      pending.push(part);
      pendingBytes += part.length;
      while (index < session.totalChunks && pendingBytes >= expectedChunkLength(session, index)) {
        const all = Buffer.concat(pending);
        const length = expectedChunkLength(session, index);
        const result = await this.uploadChunk.execute({ caller: input.caller, sessionId: session.id, index, body: all.subarray(0, length), checksumMd5: null });
        file = result.file ?? file;
        committed += length;
        index += 1;
        pending = [all.subarray(length)];
        pendingBytes = all.length - length;
      }
    }
    return { offset: committed, file };
  }
}

async function verified(body: AsyncIterable<Buffer>, checksum: NonNullable<TusAppendInput['checksum']>, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const part of body) {
    size += part.length;
    if (size > limit) throw new Conflict('A checksummed PATCH is held in memory until verified: send smaller ones', { max_bytes: limit });
    parts.push(part);
  }
  const all = Buffer.concat(parts);
  const digest = createHash(checksum.algorithm).update(all).digest();
  if (!digest.equals(checksum.digest)) throw new ChecksumMismatch('Upload-Checksum does not match the body', { algorithm: checksum.algorithm });
  return all;
}
