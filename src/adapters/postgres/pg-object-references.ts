import type { ObjectReferences } from '../../application/ports/object-references.port';
import type { PgSqlDatabase } from './pg-sql-database';

/** Sessions whose staged bytes or completing object are in use: not completed, not expired. */
const LIVE_SESSION = `status IN ('uploading', 'completing', 'failed') AND expires_at > $2`;

/**
 * What refers to an object, from the tables: files (trashed rows too), database backups' manifests,
 * tombstones and archives, live upload sessions (their key, and the encrypted key a completion
 * writes beside it), and renditions where that table exists. Every IN is a hashed subplan: one pass
 * over each table per batch of keys, whatever their number.
 */
export class PgObjectReferences implements ObjectReferences {
  constructor(private readonly db: PgSqlDatabase) {}

  async referenced(keys: readonly string[], now: Date): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    return this.db.withClient(async (client) => {
      const renditions = (await client.query<{ present: boolean }>(`SELECT to_regclass('file_renditions') IS NOT NULL AS present`)).rows[0]?.present === true;
      const result = await client.query<{ k: string }>(
        `SELECT k FROM unnest($1::text[]) AS k
          WHERE k IN (SELECT file_path FROM files)
             OR k IN (SELECT file_path FROM db_backup_files)
             OR k IN (SELECT file_path FROM db_backup_tombstones)
             OR k IN (SELECT storage_key FROM db_backups)
             OR k IN (SELECT object_key FROM upload_sessions WHERE ${LIVE_SESSION})
             OR k IN (SELECT object_key || '.vbse' FROM upload_sessions WHERE ${LIVE_SESSION})
             ${renditions ? 'OR k IN (SELECT object_key FROM file_renditions)' : ''}`,
        [keys, now],
      );
      return new Set(result.rows.map((row) => row.k));
    });
  }

  async liveUploadIds(now: Date): Promise<string[]> {
    const result = await this.db.withClient((client) =>
      client.query<{ provider_upload_id: string }>(`SELECT provider_upload_id FROM upload_sessions WHERE ${LIVE_SESSION.replace('$2', '$1')}`, [now]),
    );
    return result.rows.map((row) => row.provider_upload_id);
  }
}
