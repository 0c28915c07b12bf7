import type { ColumnEncryptionJob, ColumnJobProgress } from '../../../application/database/column-encryption/column-encryption-job';
import type { ColumnEncryptionStatus, GetColumnEncryptionStatus } from '../../../application/database/column-encryption/get-column-encryption-status';
import { Conflict } from '../../../domain/shared/errors';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { ColumnEncryptionStatusSchema } from '../schemas/column-encryption.schemas';

/** Null when DB_ENCRYPTION_KEY is not set. */
export interface ColumnEncryptionRouteDeps {
  getStatus: GetColumnEncryptionStatus;
  job: ColumnEncryptionJob;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const TAG = 'Encryption at rest';

const OFF = { enabled: false, active_key_id: null, key_ids: [], blind_index_key_id: null, columns: [], job: null };

/** Admin-only: the encrypted columns' key usage and the background (re-)encryption pass. */
export function columnEncryptionRoutes(routes: RouteBuilder, deps: ColumnEncryptionRouteDeps | null): void {
  routes.define({
    method: 'get',
    path: '/api/v1/admin/encryption/columns',
    tag: TAG,
    auth: 'admin',
    summary: 'Encrypted columns: rows by key id, values not yet encrypted, blind indexes to fill, the background pass',
    description: 'Counts are read from the database on each call; `job` is the pass this instance runs (at start, every hour, or on POST …/columns/run).',
    responses: { 200: { description: 'Key usage and progress', schema: ColumnEncryptionStatusSchema } },
    handler: async () => ({ status: 200, headers: NO_STORE, body: deps ? presentStatus(await deps.getStatus.execute()) : OFF }),
  });

  routes.define({
    method: 'post',
    path: '/api/v1/admin/encryption/columns/run',
    tag: TAG,
    auth: 'admin',
    summary: 'Start a pass now: encrypt values stored before encryption, re-encrypt values under other keys with the active key (rotation), fill blind indexes',
    description: 'Answers 202 at once (a pass already running is joined, not doubled); poll GET /api/v1/admin/encryption/columns for `job`.',
    responses: {
      202: { description: 'The pass runs', schema: ColumnEncryptionStatusSchema },
      409: { description: 'CONFLICT: DB_ENCRYPTION_KEY is not set', schema: ErrorBodySchema },
    },
    audit: { action: 'encryption.columns.reencrypt', targetType: 'encrypted_columns' },
    handler: async () => {
      if (!deps) throw new Conflict('DB_ENCRYPTION_KEY is not set: no column is encrypted');
      deps.job.start();
      return { status: 202, headers: NO_STORE, body: presentStatus(await deps.getStatus.execute()) };
    },
  });
}

function presentStatus(status: ColumnEncryptionStatus) {
  return {
    enabled: true,
    active_key_id: status.activeKeyId,
    key_ids: status.keyIds,
    blind_index_key_id: status.blindIndexKeyId,
    columns: status.columns.map((c) => ({
      table: c.table,
      column: c.column,
      blind_index: c.blindIndex,
      rows_by_key: c.byKey,
      plaintext_rows: c.plaintext,
      stale_blind_indexes: c.staleBlindIndexes,
    })),
    job: presentJob(status.job),
  };
}

function presentJob(job: ColumnJobProgress) {
  return {
    state: job.state,
    started_at: job.startedAt?.toISOString() ?? null,
    finished_at: job.finishedAt?.toISOString() ?? null,
    total: job.total,
    processed: job.processed,
    rewritten: job.rewritten,
    skipped: job.skipped,
    percent: job.total === 0 ? (job.state === 'running' ? 0 : 100) : Math.min(100, Math.round((job.processed / job.total) * 1000) / 10),
    error: job.error,
  };
}
