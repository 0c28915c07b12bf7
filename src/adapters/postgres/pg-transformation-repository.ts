import type { Transformation, TransformationListQuery, TransformationRepository, TransformationStatus } from '../../application/ports/transformation-repository.port';
import { isUuid } from '../../domain/shared/uuid';
import type { PgSqlDatabase } from './pg-sql-database';

interface Row {
  id: string;
  source_file_id: string;
  target_file_id: string | null;
  user_id: string;
  transformation_type: string;
  transformation_params: Record<string, unknown>;
  output_name: string | null;
  status: TransformationStatus;
  progress_percent: number;
  error_message: string | null;
  attempts: number;
  started_at: Date | null;
  completed_at: Date | null;
  processing_time_ms: number | null;
  created_at: Date;
}

// TIMESTAMP without time zone columns: written and read as UTC whatever the session's TimeZone.
const utc = (column: string) => `${column} AT TIME ZONE 'UTC' AS ${column}`;
const COLUMNS = `id::text AS id, source_file_id::text AS source_file_id, target_file_id::text AS target_file_id, user_id::text AS user_id,
  transformation_type, transformation_params, output_name, status, progress_percent, error_message, attempts,
  ${utc('started_at')}, ${utc('completed_at')}, processing_time_ms, ${utc('created_at')}`;
const AT = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

/** A malformed id names no job (as in PgFileRepository), rather than a uuid syntax error from PostgreSQL. */
export class PgTransformationRepository implements TransformationRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  async insert(t: Transformation): Promise<void> {
    await this.query(
      `INSERT INTO file_transformations (id, source_file_id, user_id, transformation_type, transformation_params, output_name, status, progress_percent, created_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, ${AT(9)})`,
      [t.id, t.sourceFileId, t.userId, t.type, JSON.stringify(t.parameters), t.outputName, t.status, t.progressPercent, t.createdAt.toISOString()],
    );
  }

  async findById(id: string): Promise<Transformation | null> {
    if (!isUuid(id)) return null;
    const rows = await this.query(`SELECT ${COLUMNS} FROM file_transformations WHERE id = $1`, [id]);
    return rows[0] ? transformationOf(rows[0]) : null;
  }

  async queuedAhead(id: string): Promise<number> {
    if (!isUuid(id)) return 0;
    const rows = await this.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM file_transformations
        WHERE status = 'queued' AND created_at < (SELECT created_at FROM file_transformations WHERE id = $1)`,
      [id],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async start(id: string, at: Date): Promise<Transformation | null> {
    if (!isUuid(id)) return null;
    const rows = await this.query(
      `UPDATE file_transformations SET status = 'processing', started_at = COALESCE(started_at, ${AT(2)}), attempts = attempts + 1, progress_percent = 0
        WHERE id = $1 AND status IN ('queued', 'processing') RETURNING ${COLUMNS}`,
      [id, at.toISOString()],
    );
    return rows[0] ? transformationOf(rows[0]) : null;
  }

  async progress(id: string, percent: number): Promise<void> {
    if (!isUuid(id)) return;
    await this.query(`UPDATE file_transformations SET progress_percent = GREATEST(progress_percent, $2) WHERE id = $1 AND status = 'processing'`, [id, percent]);
  }

  async complete(id: string, targetFileId: string, at: Date, processingTimeMs: number): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.change(
      `UPDATE file_transformations SET status = 'completed', progress_percent = 100, target_file_id = $2, completed_at = ${AT(3)}, processing_time_ms = $4, error_message = NULL
        WHERE id = $1 AND status = 'processing'`,
      [id, targetFileId, at.toISOString(), processingTimeMs],
    );
  }

  async fail(id: string, message: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.change(
      `UPDATE file_transformations SET status = 'failed', error_message = $2, completed_at = ${AT(3)} WHERE id = $1 AND status IN ('queued', 'processing')`,
      [id, message, at.toISOString()],
    );
  }

  async cancel(id: string, at: Date): Promise<boolean> {
    if (!isUuid(id)) return false;
    return this.change(
      `UPDATE file_transformations SET status = 'cancelled', completed_at = ${AT(2)} WHERE id = $1 AND status IN ('queued', 'processing')`,
      [id, at.toISOString()],
    );
  }

  async statusOf(id: string): Promise<TransformationStatus | null> {
    if (!isUuid(id)) return null;
    const rows = await this.query<{ status: TransformationStatus }>('SELECT status FROM file_transformations WHERE id = $1', [id]);
    return rows[0]?.status ?? null;
  }

  async list(q: TransformationListQuery): Promise<{ transformations: Transformation[]; total: number }> {
    if (q.sourceFileId !== undefined && !isUuid(q.sourceFileId)) return { transformations: [], total: 0 };
    const where = `($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::uuid IS NULL OR source_file_id = $3)`;
    const scope = [q.userId, q.status ?? null, q.sourceFileId ?? null];
    const [rows, count] = await Promise.all([
      this.query(`SELECT ${COLUMNS} FROM file_transformations WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $4 OFFSET $5`, [...scope, q.limit, (q.page - 1) * q.limit]),
      this.query<{ n: string }>(`SELECT count(*)::text AS n FROM file_transformations WHERE ${where}`, scope),
    ]);
    return { transformations: rows.map(transformationOf), total: Number(count[0]?.n ?? 0) };
  }

  private async change(sql: string, values: unknown[]): Promise<boolean> {
    return this.db.withClient(async (client) => ((await client.query(sql, values)).rowCount ?? 0) > 0);
  }

  private async query<R = Row>(sql: string, values: unknown[]): Promise<R[]> {
    return this.db.withClient(async (client) => (await client.query(sql, values)).rows as R[]);
  }
}

function transformationOf(row: Row): Transformation {
  return {
    id: row.id,
    sourceFileId: row.source_file_id,
    targetFileId: row.target_file_id,
    userId: row.user_id,
    type: row.transformation_type,
    parameters: row.transformation_params,
    outputName: row.output_name,
    status: row.status,
    progressPercent: row.progress_percent,
    errorMessage: row.error_message,
    attempts: row.attempts,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    processingTimeMs: row.processing_time_ms,
    createdAt: row.created_at,
  };
}
