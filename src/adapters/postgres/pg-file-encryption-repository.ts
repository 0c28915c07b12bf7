import { randomUUID } from 'node:crypto';
import type {
  EncryptionJob,
  EncryptionJobKind,
  FileEncryptionRepository,
  FileToEncrypt,
} from '../../application/ports/file-encryption-repository.port';
import type { FileEncryption } from '../../domain/storage/stored-file';
import type { PgSqlDatabase } from './pg-sql-database';

const JOB_COLUMNS = `id::text AS id, kind, status, target_key_id, total_files, done_files, failed_files, last_error, started_at, updated_at, finished_at`;

interface JobRow {
  id: string;
  kind: EncryptionJobKind;
  status: EncryptionJob['status'];
  target_key_id: string;
  total_files: number;
  done_files: number;
  failed_files: number;
  last_error: string | null;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

interface FileRow {
  id: string;
  file_path: string;
  size_bytes: string;
  mime_type: string;
  encryption_key_id: string | null;
  encryption_wrapped_key: string | null;
}

const FILE_COLUMNS = `id::text AS id, file_path, size_bytes::text AS size_bytes, mime_type, encryption_key_id, encryption_wrapped_key`;
const ENCRYPTED = 'encryption_wrapped_key IS NOT NULL';

/** files' encryption columns and encryption_jobs in PostgreSQL (migration 20240129_011). */
export class PgFileEncryptionRepository implements FileEncryptionRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  async filesPerKey(): Promise<Array<{ keyId: string; files: number }>> {
    const rows = await this.query<{ key_id: string; files: string }>(
      `SELECT encryption_key_id AS key_id, count(*)::text AS files FROM files WHERE ${ENCRYPTED} GROUP BY encryption_key_id ORDER BY encryption_key_id`,
    );
    return rows.map((r) => ({ keyId: r.key_id, files: Number(r.files) }));
  }

  async unencryptedFiles(): Promise<number> {
    const rows = await this.query<{ n: string }>(`SELECT count(*)::text AS n FROM files WHERE encryption_wrapped_key IS NULL`);
    return Number(rows[0]?.n ?? 0);
  }

  async filesWithKeyOutside(keyIds: readonly string[]): Promise<number> {
    const rows = await this.query<{ n: string }>(`SELECT count(*)::text AS n FROM files WHERE ${ENCRYPTED} AND NOT (encryption_key_id = ANY($1::text[]))`, [keyIds]);
    return Number(rows[0]?.n ?? 0);
  }

  async wrappedUnder(notKeyId: string, afterId: string | null, limit: number): Promise<FileToEncrypt[]> {
    const rows = await this.query<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM files WHERE ${ENCRYPTED} AND encryption_key_id <> $1 AND ($2::uuid IS NULL OR id > $2::uuid) ORDER BY id LIMIT $3`,
      [notKeyId, afterId, limit],
    );
    return rows.map(fileOf);
  }

  async unencrypted(afterId: string | null, limit: number): Promise<FileToEncrypt[]> {
    const rows = await this.query<FileRow>(
      `SELECT ${FILE_COLUMNS} FROM files WHERE encryption_wrapped_key IS NULL AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(fileOf);
  }

  async rewrap(fileId: string, from: FileEncryption, to: FileEncryption): Promise<boolean> {
    const rows = await this.query(
      `UPDATE files SET encryption_key_id = $4, encryption_wrapped_key = $5
        WHERE id = $1 AND encryption_key_id = $2 AND encryption_wrapped_key = $3 RETURNING id`,
      [fileId, from.keyId, from.wrappedKey, to.keyId, to.wrappedKey],
    );
    return rows.length === 1;
  }

  async swapToEncrypted(fileId: string, fromPath: string, toPath: string, encryption: FileEncryption): Promise<boolean> {
    const rows = await this.query(
      `UPDATE files SET file_path = $3, encryption_key_id = $4, encryption_wrapped_key = $5
        WHERE id = $1 AND file_path = $2 AND encryption_wrapped_key IS NULL RETURNING id`,
      [fileId, fromPath, toPath, encryption.keyId, encryption.wrappedKey],
    );
    return rows.length === 1;
  }

  async startJob(kind: EncryptionJobKind, targetKeyId: string, totalFiles: number): Promise<EncryptionJob | null> {
    const rows = await this.query<JobRow>(
      `INSERT INTO encryption_jobs (id, kind, status, target_key_id, total_files) VALUES ($1, $2, 'running', $3, $4)
       ON CONFLICT (kind) WHERE status = 'running' DO NOTHING RETURNING ${JOB_COLUMNS}`,
      [randomUUID(), kind, targetKeyId, totalFiles],
    );
    return rows[0] ? jobOf(rows[0]) : null;
  }

  async runningJobs(): Promise<EncryptionJob[]> {
    return (await this.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM encryption_jobs WHERE status = 'running' ORDER BY started_at`)).map(jobOf);
  }

  async latestJobs(): Promise<EncryptionJob[]> {
    const rows = await this.query<JobRow>(`SELECT DISTINCT ON (kind) ${JOB_COLUMNS} FROM encryption_jobs ORDER BY kind, started_at DESC`);
    return rows.map(jobOf);
  }

  async findJob(id: string): Promise<EncryptionJob | null> {
    const rows = await this.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM encryption_jobs WHERE id::text = $1`, [id]);
    return rows[0] ? jobOf(rows[0]) : null;
  }

  async updateJob(id: string, patch: Partial<Pick<EncryptionJob, 'status' | 'targetKeyId' | 'totalFiles' | 'doneFiles' | 'failedFiles' | 'lastError'>>): Promise<void> {
    const sets = ['updated_at = now()'];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.status !== undefined) {
      set('status', patch.status);
      if (patch.status !== 'running') sets.push('finished_at = now()');
    }
    if (patch.targetKeyId !== undefined) set('target_key_id', patch.targetKeyId);
    if (patch.totalFiles !== undefined) set('total_files', patch.totalFiles);
    if (patch.doneFiles !== undefined) set('done_files', patch.doneFiles);
    if (patch.failedFiles !== undefined) set('failed_files', patch.failedFiles);
    if (patch.lastError !== undefined) set('last_error', patch.lastError);
    await this.query(`UPDATE encryption_jobs SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  private async query<T extends object = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
    return this.db.withClient(async (client) => (await client.query<T>(sql, values)).rows);
  }
}

function fileOf(row: FileRow): FileToEncrypt {
  return {
    id: row.id,
    filePath: row.file_path,
    sizeBytes: Number(row.size_bytes),
    mimeType: row.mime_type,
    encryption: row.encryption_key_id && row.encryption_wrapped_key ? { keyId: row.encryption_key_id, wrappedKey: row.encryption_wrapped_key } : null,
  };
}

function jobOf(row: JobRow): EncryptionJob {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    targetKeyId: row.target_key_id,
    totalFiles: row.total_files,
    doneFiles: row.done_files,
    failedFiles: row.failed_files,
    lastError: row.last_error,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
