import type { NewRestore, RestoreRepository } from '../../application/ports/restore-repository.port';
import type { Restore, RestoreProgress, RestoreReport } from '../../domain/database/restore';
import type { PgSqlDatabase } from './pg-sql-database';

interface RestoreRow {
  id: string;
  backup_id: string;
  target: Restore['target'];
  database_name: string;
  status: Restore['status'];
  progress: RestoreProgress;
  report: RestoreReport | null;
  error: string | null;
  started_at: Date;
  completed_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRestore(row: RestoreRow): Restore {
  return {
    id: row.id,
    backupId: row.backup_id,
    target: row.target,
    databaseName: row.database_name,
    status: row.status,
    progress: row.progress,
    report: row.report,
    error: row.error,
    startedAt: row.started_at,
    completedAt: row.completed_at,
  };
}

/** db_restores; the partial unique index keeps one queued/running restore across every instance. */
export class PgRestoreRepository implements RestoreRepository {
  /** `staleAfterMs`: a queued/running restore with no progress saved for this long was its instance's, now gone. */
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly staleAfterMs = 120_000,
  ) {}

  async create(restore: NewRestore): Promise<{ created: true } | { created: false; activeId: string | null }> {
    // A restore runs in its instance's process: if that instance died, nothing else will finish it.
    await this.db.withClient((client) =>
      client.query(
        `UPDATE db_restores SET status = 'failed', error = 'abandoned: its instance stopped saving progress', completed_at = now()
          WHERE status IN ('queued', 'running') AND heartbeat_at < now() - make_interval(secs => $1)`,
        [this.staleAfterMs / 1000],
      ),
    );
    const inserted = await this.db.withClient((client) =>
      client.query(
        `INSERT INTO db_restores (id, backup_id, target, database_name, status, started_at, progress)
         VALUES ($1, $2, $3, $4, 'queued', $5, $6)
         ON CONFLICT ((TRUE)) WHERE status IN ('queued', 'running') DO NOTHING`,
        [restore.id, restore.backupId, restore.target, restore.databaseName, restore.startedAt, JSON.stringify(restore.progress)],
      ),
    );
    if (inserted.rowCount === 1) return { created: true };
    const active = await this.db.withClient((client) => client.query<{ id: string }>(`SELECT id FROM db_restores WHERE status IN ('queued', 'running') LIMIT 1`));
    return { created: false, activeId: active.rows[0]?.id ?? null };
  }

  async findById(id: string): Promise<Restore | null> {
    if (!UUID.test(id)) return null;
    // Read as it is: a restore whose instance died is reported failed, not running until the next request fails it.
    await this.db.withClient((client) =>
      client.query(
        `UPDATE db_restores SET status = 'failed', error = 'abandoned: its instance stopped saving progress', completed_at = now()
          WHERE id = $1 AND status IN ('queued', 'running') AND heartbeat_at < now() - make_interval(secs => $2)`,
        [id, this.staleAfterMs / 1000],
      ),
    );
    const result = await this.db.withClient((client) => client.query<RestoreRow>('SELECT * FROM db_restores WHERE id = $1', [id]));
    return result.rows[0] ? toRestore(result.rows[0]) : null;
  }

  async saveProgress(id: string, progress: RestoreProgress, status?: 'running'): Promise<void> {
    await this.db.withClient((client) =>
      client.query(`UPDATE db_restores SET progress = $2, status = COALESCE($3, status), heartbeat_at = now() WHERE id = $1 AND status IN ('queued', 'running')`, [id, JSON.stringify(progress), status ?? null]),
    );
  }

  async complete(id: string, report: RestoreReport, progress: RestoreProgress, at: Date): Promise<void> {
    await this.db.withClient((client) =>
      client.query(`UPDATE db_restores SET status = 'completed', report = $2, progress = $3, completed_at = $4 WHERE id = $1`, [id, JSON.stringify(report), JSON.stringify(progress), at]),
    );
  }

  async fail(id: string, error: string, progress: RestoreProgress, at: Date): Promise<void> {
    await this.db.withClient((client) =>
      client.query(`UPDATE db_restores SET status = 'failed', error = $2, progress = $3, completed_at = $4 WHERE id = $1 AND status IN ('queued', 'running')`, [id, error, JSON.stringify(progress), at]),
    );
  }

  async activeInPlace(): Promise<{ id: string } | null> {
    const result = await this.db.withClient((client) =>
      client.query<{ id: string }>(
        `SELECT id FROM db_restores WHERE target = 'in_place' AND status IN ('queued', 'running')
            AND heartbeat_at >= now() - make_interval(secs => $1) LIMIT 1`,
        [this.staleAfterMs / 1000],
      ),
    );
    return result.rows[0] ? { id: result.rows[0].id } : null;
  }
}
