import type { Caller } from '../../../domain/auth/caller';
import type { UploadSession } from '../../../domain/storage/upload-session';
import type { Clock } from '../../ports/clock.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import { ownedSession } from './owned-session';

/** A session as its owner left it: which chunks arrived, so a client resumes with the others. */
export class GetResumableUpload {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly clock: Clock,
  ) {}

  execute(input: { caller: Caller; sessionId: string }): Promise<UploadSession> {
    return ownedSession(this.sessions, input.sessionId, input.caller, this.clock.now());
  }
}
