import type { Clock } from '../../ports/clock.port';
import type { Logger } from '../../ports/logger.port';
import type { UploadStaging } from '../../ports/upload-staging.port';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';

/** Periodic: drops the staged chunks of sessions past their expiry and marks them expired (later chunks: 410). */
export class CleanExpiredUploads {
  constructor(
    private readonly sessions: UploadSessionRepository,
    private readonly staging: UploadStaging,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly batchSize = 100,
  ) {}

  async execute(): Promise<number> {
    const expired = await this.sessions.expired(this.clock.now(), this.batchSize);
    let cleaned = 0;
    for (const session of expired) {
      try {
        await this.staging.abort(session.key, session.uploadId);
        if (await this.sessions.transition(session.id, session.status, 'expired')) cleaned += 1;
      } catch (error) {
        this.logger.warn({ session_id: session.id, err: String(error) }, 'could not clean an expired upload session; next pass retries');
      }
    }
    return cleaned;
  }
}
