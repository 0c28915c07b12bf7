import type { UploadSessionRepository } from '../../application/ports/upload-session-repository.port';
import type { UploadSession, UploadSessionStatus } from '../../domain/storage/upload-session';
import type { PgSqlDatabase } from './pg-sql-database';

interface SessionRow {
  id: string;
  user_id: string;
  file_id: string;
  object_key: string;
  provider_upload_id: string;
  filename: string;
  size_bytes: string;
  mime_type: string;
  chunk_size: number;
  total_chunks: number;
  project_id: string | null;
  metadata: Record<string, unknown>;
  checksum_md5: string | null;
  chunks: Record<string, string>;
  received_bytes: string;
  hash_state: Buffer | null;
  status: UploadSessionStatus;
  expires_at: Date;
  created_at: Date;
}

/** `upload_sessions` (migrations 20240121_001, 20240130_010). */
export class PgUploadSessionRepository implements UploadSessionRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  async create(s: UploadSession): Promise<void> {
    await this.db.withClient((c) =>
      c.query(
        `INSERT INTO upload_sessions (id, user_id, file_id, object_key, provider_upload_id, filename, size_bytes, mime_type, chunk_size,
           total_chunks, project_id, metadata, checksum_md5, chunks, status, expires_at, created_at, received_bytes, hash_state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14::jsonb, $15, $16, $17, $18, $19)`,
        [
          s.id, s.userId, s.fileId, s.key, s.uploadId, s.filename, s.sizeBytes, s.mimeType, s.chunkSize, s.totalChunks,
          s.projectId, JSON.stringify(s.metadata), s.checksumMd5, JSON.stringify(s.chunks), s.status, s.expiresAt, s.createdAt,
          s.receivedBytes, s.hashState ? Buffer.from(s.hashState) : null,
        ],
      ),
    );
  }

  async findById(id: string): Promise<UploadSession | null> {
    const result = await this.db.withClient((c) => c.query<SessionRow>('SELECT * FROM upload_sessions WHERE id = $1', [id]));
    return result.rows[0] ? toSession(result.rows[0]) : null;
  }

  async recordChunk(id: string, index: number, md5: string): Promise<UploadSession | null> {
    const result = await this.db.withClient((c) =>
      c.query<SessionRow>(
        `UPDATE upload_sessions SET chunks = chunks || jsonb_build_object($2::text, $3::text) WHERE id = $1 AND status = 'uploading' RETURNING *`,
        [id, String(index), md5],
      ),
    );
    return result.rows[0] ? toSession(result.rows[0]) : null;
  }

  async advance(id: string, from: number, to: number, hashState: Uint8Array, chunk?: { index: number; md5: string }): Promise<UploadSession | null> {
    const result = await this.db.withClient((c) =>
      c.query<SessionRow>(
        `UPDATE upload_sessions SET received_bytes = $3, hash_state = $4,
           chunks = CASE WHEN $5::text IS NULL THEN chunks ELSE chunks || jsonb_build_object($5::text, $6::text) END
         WHERE id = $1 AND status = 'uploading' AND received_bytes = $2 RETURNING *`,
        [id, from, to, Buffer.from(hashState), chunk ? String(chunk.index) : null, chunk?.md5 ?? null],
      ),
    );
    return result.rows[0] ? toSession(result.rows[0]) : null;
  }

  async transition(id: string, from: UploadSessionStatus, to: UploadSessionStatus): Promise<boolean> {
    const result = await this.db.withClient((c) => c.query('UPDATE upload_sessions SET status = $3 WHERE id = $1 AND status = $2', [id, from, to]));
    return result.rowCount === 1;
  }

  async expired(now: Date, limit: number): Promise<UploadSession[]> {
    const result = await this.db.withClient((c) =>
      c.query<SessionRow>(
        `SELECT * FROM upload_sessions WHERE status IN ('uploading', 'failed') AND expires_at <= $1 ORDER BY expires_at LIMIT $2`,
        [now, limit],
      ),
    );
    return result.rows.map(toSession);
  }
}

function toSession(r: SessionRow): UploadSession {
  return {
    id: r.id,
    userId: r.user_id,
    fileId: r.file_id,
    key: r.object_key,
    uploadId: r.provider_upload_id,
    filename: r.filename,
    sizeBytes: Number(r.size_bytes),
    mimeType: r.mime_type,
    chunkSize: r.chunk_size,
    totalChunks: r.total_chunks,
    projectId: r.project_id,
    metadata: r.metadata,
    checksumMd5: r.checksum_md5,
    chunks: Object.fromEntries(Object.entries(r.chunks).map(([k, v]) => [Number(k), v])),
    receivedBytes: Number(r.received_bytes),
    hashState: r.hash_state ? new Uint8Array(r.hash_state) : null,
    status: r.status,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}
