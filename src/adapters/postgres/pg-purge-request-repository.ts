import type { PurgeRequestRepository } from '../../application/ports/purge-request-repository.port';
import type { CdnTarget, PurgeStatus, PurgeType } from '../../domain/storage/cdn';
import type { ProviderPurge, PurgeReason, PurgeRequest } from '../../domain/storage/cdn-purge';
import type { PgSqlDatabase } from './pg-sql-database';
import { isUuid } from '../../domain/shared/uuid';

interface Row {
  id: string;
  user_id: string;
  purge_type: PurgeType;
  reason: PurgeReason;
  file_ids: string[];
  targets: CdnTarget[];
  status: PurgeStatus;
  providers: Array<{ provider: ProviderPurge['provider']; status: PurgeStatus; urls_purged: number; error: string | null }>;
  attempts: number;
  created_at: Date;
  completed_at: Date | null;
}

const COLUMNS = `id::text AS id, user_id::text AS user_id, purge_type, reason, file_ids::text[] AS file_ids, targets, status, providers, attempts, created_at, completed_at`;

/** cdn_purge_requests; providers and targets are JSONB (snake_case inside, like the API). */
export class PgPurgeRequestRepository implements PurgeRequestRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  async create(r: PurgeRequest): Promise<void> {
    await this.db.withClient((client) =>
      client.query(
        `INSERT INTO cdn_purge_requests (id, user_id, purge_type, reason, file_ids, targets, status, providers, attempts, created_at, completed_at)
         VALUES ($1, $2, $3, $4, $5::uuid[], $6::jsonb, $7, $8::jsonb, $9, $10, $11)`,
        [r.id, r.userId, r.purgeType, r.reason, r.fileIds, JSON.stringify(r.targets), r.status, providersJson(r.providers), r.attempts, r.createdAt, r.completedAt],
      ),
    );
  }

  async findById(id: string): Promise<PurgeRequest | null> {
    if (!isUuid(id)) return null;
    const { rows } = await this.db.withClient((client) => client.query<Row>(`SELECT ${COLUMNS} FROM cdn_purge_requests WHERE id = $1`, [id]));
    return rows[0] ? requestOf(rows[0]) : null;
  }

  async save(r: PurgeRequest): Promise<void> {
    await this.db.withClient((client) =>
      client.query(`UPDATE cdn_purge_requests SET status = $2, providers = $3::jsonb, attempts = $4, completed_at = $5 WHERE id = $1`, [
        r.id, r.status, providersJson(r.providers), r.attempts, r.completedAt,
      ]),
    );
  }
}

function providersJson(providers: ProviderPurge[]): string {
  return JSON.stringify(providers.map((p) => ({ provider: p.provider, status: p.status, urls_purged: p.urlsPurged, error: p.error })));
}

function requestOf(row: Row): PurgeRequest {
  return {
    id: row.id,
    userId: row.user_id,
    purgeType: row.purge_type,
    reason: row.reason,
    fileIds: row.file_ids,
    targets: row.targets,
    status: row.status,
    providers: row.providers.map((p) => ({ provider: p.provider, status: p.status, urlsPurged: p.urls_purged, error: p.error })),
    attempts: row.attempts,
    createdAt: row.created_at,
    completedAt: row.completed_at,
  };
}
