import type { Caller } from '../../../domain/auth/caller';
import { UploadSessionExpired, UploadSessionNotFound } from '../../../domain/storage/errors';
import { isExpired, type UploadSession } from '../../../domain/storage/upload-session';
import type { UploadSessionRepository } from '../../ports/upload-session-repository.port';

/** The caller's session; another user's is as unknown as a missing one (404); a lapsed one is 410. */
export async function ownedSession(sessions: UploadSessionRepository, id: string, caller: Caller, now: Date): Promise<UploadSession> {
  const session = await sessions.findById(id);
  if (!session || session.userId !== caller.userId) throw new UploadSessionNotFound('Upload session not found', { session_id: id });
  const finished = session.status === 'completed';
  if (session.status === 'expired' || (!finished && isExpired(session, now))) {
    throw new UploadSessionExpired('Resumable upload session has expired', { session_id: id, expired_at: session.expiresAt.toISOString() });
  }
  return session;
}
