import { createHash } from 'node:crypto';
import type { Caller } from '../../../domain/auth/caller';
import { DomainError } from '../../../domain/shared/domain-error';
import { Conflict, ValidationFailed } from '../../../domain/shared/errors';
import { ChecksumMismatch } from '../../../domain/storage/errors';
import type { StoredFile } from '../../../domain/storage/stored-file';
import type { UploadSession } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { ResumableHasher } from '../../ports/resumable-hasher.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { CompleteResumableUpload } from './complete-resumable-upload';
import { ownedSession } from './owned-session';

export interface TusAppendInput {
  caller: Caller;
  sessionId: string;
  /** Upload-Offset: must be where the upload stands. */
  offset: number;
  body: AsyncIterable<Buffer>;
  /** Upload-Checksum of the whole PATCH body: verified as it streams, nothing is kept unless it matches. */
  checksum: { algorithm: 'md5' | 'sha1'; digest: Buffer } | null;
}

/**
 * A tus PATCH: the body streams onto the staged object at the upload's offset while the whole
 * upload's md5 and sha256 continue from the state the previous PATCH (on any process) saved. Once the
 * bytes are durable, one update commits the new offset with the new state. A client that goes away
 * mid-PATCH keeps what arrived (HEAD says where to resume); a checksummed PATCH keeps all or nothing.
 */
export class TusAppend {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly staging: UploadStaging,
    private readonly hasher: ResumableHasher,
    private readonly complete: CompleteResumableUpload,
    private readonly clock: Clock,
  ) {}

  async current(caller: Caller, sessionId: string) {
    const session = await ownedSession(this.sessions, sessionId, caller, this.clock.now());
    return { session, offset: session.status === 'completed' ? session.sizeBytes : session.receivedBytes };
  }

  async execute(input: TusAppendInput): Promise<{ offset: number; file: StoredFile | null }> {
    const { session, offset } = await this.current(input.caller, input.sessionId);
    if (input.offset !== offset) throw new Conflict('Upload-Offset does not match the upload', { expected_offset: offset, offset: input.offset });
    if (session.status !== 'uploading') throw new Conflict(`The upload is ${session.status}`, { session_id: session.id, status: session.status });
    const run = await this.hasher.resume(session.hashState);
    const room = session.sizeBytes - offset;
    const checksum = input.checksum;
    let interruption: unknown = null;
    async function* hashed(): AsyncGenerator<Buffer> {
      const check = checksum ? createHash(checksum.algorithm) : null;
      let size = 0;
      try {
        for await (const piece of input.body) {
          size += piece.length;
          if (size > room) throw new ValidationFailed('The PATCH goes past Upload-Length', [{ path: 'body', message: `at most ${room} more bytes` }]);
          check?.update(piece);
          const taken = run.update(piece);
          if (taken) await taken;
          yield piece;
        }
      } catch (error) {
        // A client gone mid-PATCH: what arrived is kept, unless it was to be verified as a whole.
        if (error instanceof DomainError || check) throw error;
        interruption = error;
        return;
      }
      if (check && !check.digest().equals(checksum!.digest)) {
        throw new ChecksumMismatch('Upload-Checksum does not match the body', { algorithm: checksum!.algorithm });
      }
    }
    const { bytes } = await this.staging.write(session.key, session.uploadId, offset, hashed());
    let updated: UploadSession | null = session;
    if (bytes > 0 || offset === session.sizeBytes) {
      updated = await this.sessions.advance(session.id, offset, offset + bytes, await run.save());
      if (!updated) throw new Conflict('Another request moved the upload on meanwhile', { session_id: session.id });
    }
    if (interruption) throw interruption;
    if (updated.receivedBytes < updated.sizeBytes || !(await this.sessions.transition(updated.id, 'uploading', 'completing'))) {
      return { offset: updated.receivedBytes, file: null };
    }
    const file = await this.complete.execute(updated, { userId: input.caller.userId, role: input.caller.role });
    return { offset: updated.sizeBytes, file };
  }
}
