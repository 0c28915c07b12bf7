import type { RetainedObjects, Tombstone } from '../../application/ports/retained-objects.port';
import type { PgSqlDatabase } from './pg-sql-database';

/**
 * Tombstones in db_backup_tombstones. Listed means: in the manifest of a backup that is kept (any
 * status but failed; a failed backup's manifest was rolled back anyway). While a backup is queued
 * or running its manifest is not committed yet, so every deletion is deferred until it ends.
 */
export class PgRetainedObjects implements RetainedObjects {
  constructor(private readonly db: PgSqlDatabase) {}

  async retainIfListed(file: Tombstone): Promise<boolean> {
    const result = await this.db.withClient((client) =>
      client.query(
        `INSERT INTO db_backup_tombstones (file_path, file_id, storage_provider)
         SELECT $1::varchar, $2::uuid, $3::varchar
          WHERE EXISTS (SELECT 1 FROM db_backups WHERE status IN ('queued', 'running'))
             OR EXISTS (SELECT 1 FROM db_backup_files f JOIN db_backups b ON b.id = f.backup_id WHERE f.file_path = $1::varchar AND b.status <> 'failed')
         ON CONFLICT (file_path) DO UPDATE SET file_id = EXCLUDED.file_id, storage_provider = EXCLUDED.storage_provider, deleted_at = now()`,
        [file.key, file.fileId, file.storageProvider],
      ),
    );
    return result.rowCount === 1;
  }

  async releasable(limit: number): Promise<Tombstone[]> {
    const result = await this.db.withClient((client) =>
      client.query<{ file_path: string; file_id: string; storage_provider: string | null }>(
        `SELECT t.file_path, t.file_id, t.storage_provider FROM db_backup_tombstones t
          WHERE NOT EXISTS (SELECT 1 FROM db_backups WHERE status IN ('queued', 'running'))
            AND NOT EXISTS (SELECT 1 FROM db_backup_files f JOIN db_backups b ON b.id = f.backup_id WHERE f.file_path = t.file_path AND b.status <> 'failed')
            AND NOT EXISTS (SELECT 1 FROM files WHERE files.file_path = t.file_path)
          ORDER BY t.deleted_at LIMIT $1`,
        [limit],
      ),
    );
    return result.rows.map((r) => ({ key: r.file_path, fileId: r.file_id, storageProvider: r.storage_provider }));
  }

  async forget(key: string): Promise<void> {
    await this.db.withClient((client) => client.query('DELETE FROM db_backup_tombstones WHERE file_path = $1', [key]));
  }

  async forgetRevived(): Promise<number> {
    const result = await this.db.withClient((client) =>
      client.query('DELETE FROM db_backup_tombstones t WHERE EXISTS (SELECT 1 FROM files WHERE files.file_path = t.file_path)'),
    );
    return result.rowCount ?? 0;
  }
}
