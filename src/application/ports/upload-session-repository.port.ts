import type { UploadSession, UploadSessionStatus } from '../../domain/storage/upload-session';

/**
 * Resumable upload sessions, shared by every instance (PostgreSQL), so a client resumes after a
 * restart. Chunk records and status moves are atomic: parallel chunks never lose each other's entries,
 * and exactly one request wins a status move.
 */
export interface UploadSessionRepository {
  create(session: UploadSession): Promise<void>;
  findById(id: string): Promise<UploadSession | null>;
  /** Records (or replaces) chunk `index`'s md5 while the session is uploading; the session as it now stands, else null. */
  recordChunk(id: string, index: number, md5: string): Promise<UploadSession | null>;
  /**
   * Moves receivedBytes from `from` to `to` with the hash state after those bytes (and records `chunk`
   * with it), only while the session is uploading and still at `from`: of two requests continuing the
   * same offset, one wins. The session as it now stands, else null.
   */
  advance(id: string, from: number, to: number, hashState: Uint8Array, chunk?: { index: number; md5: string }): Promise<UploadSession | null>;
  /** Moves the status from `from` to `to`; false when it was not `from` (someone else moved it). */
  transition(id: string, from: UploadSessionStatus, to: UploadSessionStatus): Promise<boolean>;
  /** Sessions still holding staged chunks (uploading or failed) whose expiry is before `now`. */
  expired(now: Date, limit: number): Promise<UploadSession[]>;
}
