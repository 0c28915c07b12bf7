import type { PoolClient } from 'pg';
import type {
  ExtractedMetadata,
  FileListQuery,
  FileRepository,
  FileTransformationSummary,
  InsertOutcome,
} from '../../application/ports/file-repository.port';
import type { NewAuditEntry } from '../../domain/audit/audit-entry';
import type { StoredFile } from '../../domain/storage/stored-file';
import type { AuditPayloads } from './pg-audit-log';
import type { PgSqlDatabase } from './pg-sql-database';
import { fileOf, FILE_COLUMNS, type FileRow } from './pg-file-row';
import { isUuid } from '../../domain/shared/uuid';

/** Namespace of the per-user advisory locks (two-int form), apart from the relay's bigint lock. */
const QUOTA_LOCK_NAMESPACE = 1_717_000_002;

const SORT_SQL: Record<FileListQuery['sort'], string> = {
  created_at: 'created_at',
  updated_at: 'updated_at',
  original_name: 'lower(original_name)',
  size_bytes: 'size_bytes',
};

/**
 * `files`, `file_metadata` and (read only) `file_transformations`. The columns are TIMESTAMP without
 * time zone, so every value is written and read as UTC explicitly, whatever the session's TimeZone.
 */
export class PgFileRepository implements FileRepository {
  constructor(
    private readonly db: PgSqlDatabase,
    /** Sources the audit entries of a change (PgAuditLog); null: the trail is off. */
    private readonly audit: AuditPayloads | null = null,
  ) {}

  async insertWithinQuota(file: StoredFile, quotaBytes: number, metadata: ExtractedMetadata[], audit: readonly NewAuditEntry[] = []): Promise<InsertOutcome> {
    return this.db.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        // Serializes this user's inserts, so the sum below cannot be overtaken by a concurrent upload.
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [QUOTA_LOCK_NAMESPACE, file.userId]);
        const outcome = await this.insertLocked(client, file, quotaBytes, metadata);
        if (outcome.inserted) await this.append(client, audit);
        await client.query(outcome.inserted ? 'COMMIT' : 'ROLLBACK');
        return outcome;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async insertLocked(client: PoolClient, file: StoredFile, quotaBytes: number, metadata: ExtractedMetadata[]): Promise<InsertOutcome> {
    const dup = await client.query<{ id: string }>('SELECT id::text AS id FROM files WHERE user_id = $1 AND checksum_sha256 = $2 LIMIT 1', [file.userId, file.checksumSha256]);
    if (dup.rows[0]) return { inserted: false, duplicateOf: dup.rows[0].id };
    const used = await client.query<{ used: string }>('SELECT COALESCE(sum(size_bytes), 0)::text AS used FROM files WHERE user_id = $1', [file.userId]);
    const usedBytes = Number(used.rows[0]?.used ?? 0);
    if (usedBytes + file.sizeBytes > quotaBytes) return { inserted: false, usedBytes };
    await client.query(
      `INSERT INTO files (id, user_id, project_id, original_name, file_path, file_type, mime_type, size_bytes, checksum_md5, checksum_sha256,
         storage_provider, storage_tier, is_public, metadata, backup_status, backup_provider, backup_attempts, backup_error, created_at, updated_at,
         encryption_key_id, encryption_wrapped_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17, $18,
         $19::timestamptz AT TIME ZONE 'UTC', $20::timestamptz AT TIME ZONE 'UTC', $21, $22)`,
      [
        file.id, file.userId, file.projectId, file.originalName, file.filePath, file.fileType, file.mimeType, file.sizeBytes,
        file.checksumMd5, file.checksumSha256, file.storageProvider, file.storageTier, file.isPublic, JSON.stringify(file.metadata),
        file.backup.state, file.backup.provider, file.backup.attempts, file.backup.lastError, file.createdAt.toISOString(), file.updatedAt.toISOString(),
        file.encryption?.keyId ?? null, file.encryption?.wrappedKey ?? null,
      ],
    );
    for (const m of metadata) {
      await client.query('INSERT INTO file_metadata (file_id, metadata_type, metadata) VALUES ($1, $2, $3::jsonb)', [file.id, m.type, JSON.stringify(m.data)]);
    }
    return { inserted: true };
  }

  async findById(id: string): Promise<StoredFile | null> {
    if (!isUuid(id)) return null;
    return this.one(`SELECT ${FILE_COLUMNS} FROM files WHERE id = $1`, [id]);
  }

  async findByChecksum(userId: string, checksumSha256: string): Promise<StoredFile | null> {
    return this.one(`SELECT ${FILE_COLUMNS} FROM files WHERE user_id = $1 AND checksum_sha256 = $2 LIMIT 1`, [userId, checksumSha256]);
  }

  async list(query: FileListQuery): Promise<{ files: StoredFile[]; total: number }> {
    const where: string[] = [query.trashed ? 'deleted_at IS NOT NULL' : 'deleted_at IS NULL'];
    const values: unknown[] = [];
    const add = (sql: (n: string) => string, value: unknown) => {
      values.push(value);
      where.push(sql(`$${values.length}`));
    };
    if (query.userId !== null) add((n) => `user_id = ${n}`, query.userId);
    if (query.projectId !== undefined) add((n) => `project_id = ${n}`, query.projectId);
    if (query.fileType !== undefined) add((n) => `file_type = ${n}`, query.fileType);
    if (query.search !== undefined) {
      const pattern = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      add((n) => `(lower(original_name) LIKE ${n} OR EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(metadata->'tags') = 'array' THEN metadata->'tags' ELSE '[]'::jsonb END) t WHERE lower(t) LIKE ${n}))`, pattern);
    }
    values.push(query.limit, (query.page - 1) * query.limit);
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    const rows = await this.db.withClient((client) =>
      client.query<FileRow & { total: string }>(
        `SELECT ${FILE_COLUMNS}, count(*) OVER ()::text AS total FROM files WHERE ${where.join(' AND ')}
         ORDER BY ${SORT_SQL[query.sort]} ${direction}, id ${direction} LIMIT $${values.length - 1} OFFSET $${values.length}`,
        values,
      ),
    );
    if (rows.rows.length === 0 && query.page > 1) {
      const count = await this.db.withClient((client) =>
        client.query<{ total: string }>(`SELECT count(*)::text AS total FROM files WHERE ${where.join(' AND ')}`, values.slice(0, -2)),
      );
      return { files: [], total: Number(count.rows[0]?.total ?? 0) };
    }
    return { files: rows.rows.map(fileOf), total: Number(rows.rows[0]?.total ?? 0) };
  }

  async metadataOf(fileId: string): Promise<ExtractedMetadata[]> {
    if (!isUuid(fileId)) return [];
    const rows = await this.db.withClient((client) =>
      client.query<{ type: string; data: Record<string, unknown> }>('SELECT metadata_type AS type, metadata AS data FROM file_metadata WHERE file_id = $1 ORDER BY extracted_at, id', [fileId]),
    );
    return rows.rows.map((r) => ({ type: r.type, data: r.data }));
  }

  async transformationsOf(fileId: string): Promise<FileTransformationSummary[]> {
    if (!isUuid(fileId)) return [];
    const rows = await this.db.withClient((client) =>
      client.query<{ id: string; type: string; status: string | null; output: string | null }>(
        `SELECT id::text AS id, transformation_type AS type, status, target_file_id::text AS output
           FROM file_transformations WHERE source_file_id = $1 ORDER BY created_at, id`,
        [fileId],
      ),
    );
    return rows.rows.map((r) => ({ id: r.id, type: r.type, status: r.status ?? 'pending', outputFileId: r.output }));
  }

  async update(id: string, patch: Partial<Pick<StoredFile, 'originalName' | 'isPublic' | 'metadata' | 'backup'>>, audit: readonly NewAuditEntry[] = []): Promise<StoredFile | null> {
    if (!isUuid(id)) return null;
    const sets: string[] = [`updated_at = now() AT TIME ZONE 'UTC'`];
    const values: unknown[] = [id];
    const set = (column: string, value: unknown, cast = '') => {
      values.push(value);
      sets.push(`${column} = $${values.length}${cast}`);
    };
    if (patch.originalName !== undefined) set('original_name', patch.originalName);
    if (patch.isPublic !== undefined) set('is_public', patch.isPublic);
    if (patch.metadata !== undefined) set('metadata', JSON.stringify(patch.metadata), '::jsonb');
    if (patch.backup !== undefined) {
      set('backup_status', patch.backup.state);
      set('backup_provider', patch.backup.provider);
      set('backup_attempts', patch.backup.attempts);
      set('backup_error', patch.backup.lastError);
    }
    return this.changed(`UPDATE files SET ${sets.join(', ')} WHERE id = $1 RETURNING ${FILE_COLUMNS}`, values, audit);
  }

  async softDelete(id: string, at: Date, audit: readonly NewAuditEntry[] = []): Promise<StoredFile | null> {
    if (!isUuid(id)) return null;
    return this.changed(
      `UPDATE files SET deleted_at = $2::timestamptz AT TIME ZONE 'UTC' WHERE id = $1 AND deleted_at IS NULL RETURNING ${FILE_COLUMNS}`,
      [id, at.toISOString()],
      audit,
    );
  }

  async restore(id: string, audit: readonly NewAuditEntry[] = []): Promise<StoredFile | null> {
    if (!isUuid(id)) return null;
    return this.changed(`UPDATE files SET deleted_at = NULL WHERE id = $1 AND deleted_at IS NOT NULL RETURNING ${FILE_COLUMNS}`, [id], audit);
  }

  async remove(id: string, audit: readonly NewAuditEntry[] = []): Promise<void> {
    if (!isUuid(id)) return;
    // file_metadata and file_transformations rows go with it (ON DELETE CASCADE).
    await this.changed(`DELETE FROM files WHERE id = $1 RETURNING ${FILE_COLUMNS}`, [id], audit);
  }

  async usedBytes(userId: string): Promise<number> {
    const rows = await this.db.withClient((client) =>
      client.query<{ used: string }>('SELECT COALESCE(sum(size_bytes), 0)::text AS used FROM files WHERE user_id = $1', [userId]),
    );
    return Number(rows.rows[0]?.used ?? 0);
  }

  async expiredTrash(before: Date, limit: number): Promise<StoredFile[]> {
    const rows = await this.db.withClient((client) =>
      client.query<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM files
          WHERE deleted_at IS NOT NULL AND deleted_at + interval '30 days' < $1::timestamptz AT TIME ZONE 'UTC'
          ORDER BY deleted_at LIMIT $2`,
        [before.toISOString(), limit],
      ),
    );
    return rows.rows.map(fileOf);
  }

  async backupsToRetry(maxAttempts: number, limit: number): Promise<StoredFile[]> {
    const rows = await this.db.withClient((client) =>
      client.query<FileRow>(
        `SELECT ${FILE_COLUMNS} FROM files
          WHERE backup_status = 'pending' OR (backup_status = 'failed' AND backup_attempts < $1)
          ORDER BY created_at, id LIMIT $2`,
        [maxAttempts, limit],
      ),
    );
    return rows.rows.map(fileOf);
  }

  /** One changing statement, and the audit entries in its transaction when it changed a row. */
  private async changed(sql: string, values: unknown[], audit: readonly NewAuditEntry[]): Promise<StoredFile | null> {
    if (!this.audit || audit.length === 0) return this.one(sql, values);
    return this.db.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        const { rows } = await client.query<FileRow>(sql, values);
        if (rows[0]) await this.append(client, audit);
        await client.query('COMMIT');
        return rows[0] ? fileOf(rows[0]) : null;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  private async append(client: PoolClient, audit: readonly NewAuditEntry[]): Promise<void> {
    if (this.audit && audit.length > 0) await client.query('SELECT audit_append($1::jsonb)', [this.audit.payload(audit)]);
  }

  private async one(sql: string, values: unknown[]): Promise<StoredFile | null> {
    const rows = await this.db.withClient((client) => client.query<FileRow>(sql, values));
    return rows.rows[0] ? fileOf(rows.rows[0]) : null;
  }
}
