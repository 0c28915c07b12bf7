import type { UploadSessionRepository } from '../../../application/ports/upload-session-repository.port';
import type { UploadSession, UploadSessionStatus } from '../../../domain/storage/upload-session';

/** Upload sessions in a Map, for unit tests. */
export class InMemoryUploadSessionRepository implements UploadSessionRepository {
  private readonly sessions = new Map<string, UploadSession>();

  async create(session: UploadSession): Promise<void> {
    this.sessions.set(session.id, structuredClone(session));
  }

  async findById(id: string): Promise<UploadSession | null> {
    const session = this.sessions.get(id);
    return session ? structuredClone(session) : null;
  }

  async recordChunk(id: string, index: number, md5: string): Promise<UploadSession | null> {
    const session = this.sessions.get(id);
    if (!session || session.status !== 'uploading') return null;
    session.chunks[index] = md5;
    return structuredClone(session);
  }

  async advance(id: string, from: number, to: number, hashState: Uint8Array, chunk?: { index: number; md5: string }): Promise<UploadSession | null> {
    const session = this.sessions.get(id);
    if (!session || session.status !== 'uploading' || session.receivedBytes !== from) return null;
    session.receivedBytes = to;
    session.hashState = new Uint8Array(hashState);
    if (chunk) session.chunks[chunk.index] = chunk.md5;
    return structuredClone(session);
  }

  async transition(id: string, from: UploadSessionStatus, to: UploadSessionStatus): Promise<boolean> {
    const session = this.sessions.get(id);
    if (!session || session.status !== from) return false;
    session.status = to;
    return true;
  }

  async expired(now: Date, limit: number): Promise<UploadSession[]> {
    return [...this.sessions.values()]
      .filter((s) => (s.status === 'uploading' || s.status === 'failed') && s.expiresAt.getTime() <= now.getTime())
      .slice(0, limit)
      .map((s) => structuredClone(s));
  }
}
