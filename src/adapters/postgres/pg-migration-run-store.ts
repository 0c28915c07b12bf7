import type { MigrationRunStore } from '../../application/ports/migration-run-store.port';
import type { MigrationRun, MigrationRunError, MigrationRunStatus, MigrationStep, MigrationStepStatus } from '../../domain/database/migration-run';
import { PgMigrationSchema } from './pg-migration-schema';
import type { PgSqlDatabase } from './pg-sql-database';

interface RunRow {
  id: string;
  status: MigrationRunStatus;
  dry_run: boolean;
  target_version: string | null;
  steps: StepJson[];
  error: MigrationRunError | null;
  started_at: Date;
  finished_at: Date | null;
}

/** Steps are stored as JSON, dates as ISO strings. */
interface StepJson {
  version: string;
  description: string;
  estimated_duration_ms: number;
  status: MigrationStepStatus;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
}

const COLUMNS = 'id, status, dry_run, target_version, steps, error, started_at, finished_at';

/** `migration_runs`: every instance sharing the database can report any run. */
export class PgMigrationRunStore implements MigrationRunStore {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly schema: PgMigrationSchema = new PgMigrationSchema(db),
  ) {}

  async save(run: MigrationRun): Promise<void> {
    await this.schema.ensure();
    await this.db.withClient((c) =>
      c.query(
        `INSERT INTO migration_runs (${COLUMNS}, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, steps = EXCLUDED.steps, error = EXCLUDED.error,
           finished_at = EXCLUDED.finished_at, updated_at = now()`,
        [run.id, run.status, run.dryRun, run.targetVersion, JSON.stringify(run.steps.map(toJson)), run.error ? JSON.stringify(run.error) : null, run.startedAt, run.finishedAt],
      ),
    );
  }

  async get(id: string): Promise<MigrationRun | null> {
    await this.schema.ensure();
    const { rows } = await this.db.withClient((c) => c.query<RunRow>(`SELECT ${COLUMNS} FROM migration_runs WHERE id = $1`, [id]));
    return rows[0] ? fromRow(rows[0]) : null;
  }

  async running(): Promise<MigrationRun[]> {
    await this.schema.ensure();
    const { rows } = await this.db.withClient((c) =>
      c.query<RunRow>(`SELECT ${COLUMNS} FROM migration_runs WHERE status = 'running' ORDER BY started_at`),
    );
    return rows.map(fromRow);
  }
}

function toJson(step: MigrationStep): StepJson {
  return {
    version: step.version,
    description: step.description,
    estimated_duration_ms: step.estimatedDurationMs,
    status: step.status,
    started_at: step.startedAt?.toISOString() ?? null,
    finished_at: step.finishedAt?.toISOString() ?? null,
    duration_ms: step.durationMs,
  };
}

function fromRow(row: RunRow): MigrationRun {
  return {
    id: row.id,
    status: row.status,
    dryRun: row.dry_run,
    targetVersion: row.target_version,
    steps: row.steps.map((s) => ({
      version: s.version,
      description: s.description,
      estimatedDurationMs: s.estimated_duration_ms,
      status: s.status,
      startedAt: s.started_at === null ? null : new Date(s.started_at),
      finishedAt: s.finished_at === null ? null : new Date(s.finished_at),
      durationMs: s.duration_ms,
    })),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}
