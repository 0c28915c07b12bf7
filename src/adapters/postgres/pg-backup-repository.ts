import type { Backup, BackupManifestEntry, BackupProgress } from '../../domain/database/backup';
import type { BackupOutcome, BackupRepository, NewBackup } from '../../application/ports/backup-repository.port';
import type { PgSqlDatabase } from './pg-sql-database';

interface BackupRow {
  id: string;
  label: string | null;
  kind: Backup['kind'];
  status: Backup['status'];
  include_files_manifest: boolean;
  started_at: Date;
  completed_at: Date | null;
  size_bytes: string | null;
  sha256: string | null;
  server_version: string | null;
  migration_version: string | null;
  files_in_manifest: number | null;
  storage_provider: string;
  storage_key: string;
  encrypted: boolean;
  expires_at: Date | null;
  error: string | null;
  progress: Partial<BackupProgress>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toBackup(row: BackupRow): Backup {
  return {
    id: row.id,
    label: row.label,
    kind: row.kind,
    status: row.status,
    includeFilesManifest: row.include_files_manifest,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    sizeBytes: row.size_bytes === null ? null : Number(row.size_bytes),
    sha256: row.sha256,
    serverVersion: row.server_version,
    migrationVersion: row.migration_version,
    filesInManifest: row.files_in_manifest,
    storage: { provider: row.storage_provider, key: row.storage_key },
    encrypted: row.encrypted,
    expiresAt: row.expires_at,
    error: row.error,
    progress: {
      phase: row.progress.phase ?? 'queued',
      tablesDone: row.progress.tablesDone ?? 0,
      tablesTotal: row.progress.tablesTotal ?? 0,
      bytesWritten: row.progress.bytesWritten ?? 0,
    },
  };
}

/** db_backups and db_backup_files; the one-active rule is the partial unique index idx_db_backups_one_active. */
export class PgBackupRepository implements BackupRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  async create(backup: NewBackup): Promise<{ created: true } | { created: false; activeId: string | null }> {
    const inserted = await this.db.withClient((client) =>
      client.query(
        `INSERT INTO db_backups (id, label, kind, status, include_files_manifest, started_at, storage_provider, storage_key, encrypted, progress, heartbeat_at)
         VALUES ($1, $2, $3, 'queued', $4, $5, $6, $7, $8, $9, now())
         ON CONFLICT ((TRUE)) WHERE status IN ('queued', 'running') DO NOTHING`,
        [backup.id, backup.label, backup.kind, backup.includeFilesManifest, backup.startedAt, backup.storage.provider, backup.storage.key, backup.encrypted, JSON.stringify(backup.progress)],
      ),
    );
    if (inserted.rowCount === 1) return { created: true };
    const active = await this.db.withClient((client) => client.query<{ id: string }>(`SELECT id FROM db_backups WHERE status IN ('queued', 'running') LIMIT 1`));
    return { created: false, activeId: active.rows[0]?.id ?? null };
  }

  async findById(id: string): Promise<Backup | null> {
    if (!UUID.test(id)) return null;
    const result = await this.db.withClient((client) => client.query<BackupRow>('SELECT * FROM db_backups WHERE id = $1', [id]));
    return result.rows[0] ? toBackup(result.rows[0]) : null;
  }

  async list(page: number, limit: number): Promise<{ backups: Backup[]; total: number }> {
    return this.db.withClient(async (client) => {
      const rows = await client.query<BackupRow>('SELECT * FROM db_backups ORDER BY started_at DESC, id DESC LIMIT $1 OFFSET $2', [limit, (page - 1) * limit]);
      const total = await client.query<{ n: string }>('SELECT count(*) AS n FROM db_backups');
      return { backups: rows.rows.map(toBackup), total: Number(total.rows[0]!.n) };
    });
  }

  async markRunning(id: string, progress: BackupProgress): Promise<boolean> {
    const result = await this.db.withClient((client) =>
      client.query(`UPDATE db_backups SET status = 'running', progress = $2, heartbeat_at = now() WHERE id = $1 AND status = 'queued'`, [id, JSON.stringify(progress)]),
    );
    return result.rowCount === 1;
  }

  async saveProgress(id: string, progress: BackupProgress): Promise<void> {
    await this.db.withClient((client) =>
      client.query(`UPDATE db_backups SET progress = $2, heartbeat_at = now() WHERE id = $1 AND status IN ('queued', 'running')`, [id, JSON.stringify(progress)]),
    );
  }

  async complete(id: string, outcome: BackupOutcome, progress: BackupProgress): Promise<boolean> {
    const result = await this.db.withClient((client) =>
      client.query(
        `UPDATE db_backups SET status = 'completed', completed_at = $2, size_bytes = $3, sha256 = $4, server_version = $5, migration_version = $6,
                files_in_manifest = $7, expires_at = $8, progress = $9, heartbeat_at = now(), error = NULL
          WHERE id = $1 AND status = 'running'`,
        [id, outcome.completedAt, outcome.sizeBytes, outcome.sha256, outcome.serverVersion, outcome.migrationVersion, outcome.filesInManifest, outcome.expiresAt, JSON.stringify(progress)],
      ),
    );
    return result.rowCount === 1;
  }

  async fail(id: string, error: string, progress: BackupProgress): Promise<void> {
    await this.db.withClient((client) =>
      client.query(
        `UPDATE db_backups SET status = 'failed', error = $2, progress = $3, completed_at = now(), heartbeat_at = now() WHERE id = $1 AND status IN ('queued', 'running')`,
        [id, error, JSON.stringify(progress)],
      ),
    );
  }

  async remove(id: string): Promise<void> {
    if (!UUID.test(id)) return;
    await this.db.withClient((client) => client.query('DELETE FROM db_backups WHERE id = $1', [id]));
  }

  async stale(before: Date): Promise<Backup[]> {
    const result = await this.db.withClient((client) =>
      client.query<BackupRow>(`SELECT * FROM db_backups WHERE status IN ('queued', 'running') AND heartbeat_at < $1`, [before]),
    );
    return result.rows.map(toBackup);
  }

  async expired(now: Date, keepMin: number, limit: number): Promise<Backup[]> {
    const result = await this.db.withClient((client) =>
      client.query<BackupRow>(
        `SELECT * FROM db_backups
          WHERE status IN ('completed', 'failed') AND expires_at IS NOT NULL AND expires_at <= $1
            AND id NOT IN (SELECT id FROM db_backups WHERE status = 'completed' ORDER BY completed_at DESC LIMIT $2)
          ORDER BY started_at ASC LIMIT $3`,
        [now, keepMin, limit],
      ),
    );
    return result.rows.map(toBackup);
  }

  async lastCompleted(): Promise<Backup | null> {
    const result = await this.db.withClient((client) =>
      client.query<BackupRow>(`SELECT * FROM db_backups WHERE status = 'completed' ORDER BY completed_at DESC LIMIT 1`),
    );
    return result.rows[0] ? toBackup(result.rows[0]) : null;
  }

  async manifest(id: string, offset: number, limit: number): Promise<BackupManifestEntry[]> {
    if (!UUID.test(id)) return [];
    const result = await this.db.withClient((client) =>
      client.query<{ file_id: string; file_path: string; storage_provider: string | null; size_bytes: string; checksum_sha256: string }>(
        'SELECT file_id, file_path, storage_provider, size_bytes, checksum_sha256 FROM db_backup_files WHERE backup_id = $1 ORDER BY file_id LIMIT $2 OFFSET $3',
        [id, limit, offset],
      ),
    );
    return result.rows.map((r) => ({ fileId: r.file_id, key: r.file_path, storageProvider: r.storage_provider, sizeBytes: Number(r.size_bytes), sha256: r.checksum_sha256 }));
  }
}
