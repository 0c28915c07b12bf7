import type { JobCounts } from '../metrics/job-metrics';
import type { PgSqlDatabase } from './pg-sql-database';

/** Transformation jobs queued and processing (idx_file_transformations_status keeps this cheap). */
export function pgTransformationJobCounts(db: PgSqlDatabase): () => Promise<JobCounts> {
  return () =>
    db.withClient(async (client) => {
      const { rows } = await client.query<{ status: string; n: string }>(
        `SELECT status, count(*)::text AS n FROM file_transformations WHERE status IN ('queued', 'processing') GROUP BY status`,
      );
      const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
      return { queued: of('queued'), processing: of('processing') };
    });
}
