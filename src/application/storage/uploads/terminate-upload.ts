import type { Caller } from '../../../domain/auth/caller';
import { Conflict } from '../../../domain/shared/errors';
import type { Clock } from '../../ports/clock.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';
import { ownedSession } from './owned-session';

/** tus termination: drops the staged chunks; later requests on the session answer 410. */
export class TerminateUpload {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly staging: UploadStaging,
    private readonly clock: Clock,
  ) {}

  async execute(input: { caller: Caller; sessionId: string }): Promise<void> {
    const session = await ownedSession(this.sessions, input.sessionId, input.caller, this.clock.now());
    if (session.status !== 'uploading' && session.status !== 'failed') {
      throw new Conflict(`The upload is ${session.status}`, { session_id: session.id, status: session.status });
    }
    await this.staging.abort(session.key, session.uploadId);
    await this.sessions.transition(session.id, session.status, 'expired');
  }
}
