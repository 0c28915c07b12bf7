import type { PoolClient } from 'pg';
import type { LockedRenditions, ProductionLocks, Rendition, RenditionRepository } from '../../application/ports/rendition-repository.port';
import type { RenditionFormat } from '../../domain/storage/rendition';
import type { PgSqlDatabase } from './pg-sql-database';

interface Row {
  file_id: string;
  rendition_key: string;
  parameters: string;
  format: RenditionFormat;
  object_key: string;
  size_bytes: string;
  width: number;
  height: number;
  encryption_key_id: string | null;
  encryption_wrapped_key: string | null;
  created_at: Date;
  last_used_at: Date;
}

const COLUMNS = `file_id::text AS file_id, rendition_key, parameters, format, object_key, size_bytes, width, height,
  encryption_key_id, encryption_wrapped_key, created_at, last_used_at`;

/** file_renditions (migration 20240203_015). */
export class PgRenditionRepository implements RenditionRepository {
  constructor(private readonly db: PgSqlDatabase) {}

  find(fileId: string, key: string): Promise<Rendition | null> {
    return this.db.withClient((c) => findOn(c, fileId, key));
  }

  save(r: Rendition): Promise<void> {
    return this.db.withClient((c) => saveOn(c, r));
  }

  async touch(fileId: string, key: string, at: Date): Promise<void> {
    await this.query('UPDATE file_renditions SET last_used_at = $3 WHERE file_id = $1 AND rendition_key = $2 AND last_used_at < $3', [fileId, key, at]);
  }

  async ofFile(fileId: string): Promise<Rendition[]> {
    const { rows } = await this.query(`SELECT ${COLUMNS} FROM file_renditions WHERE file_id = $1`, [fileId]);
    return rows.map(renditionOf);
  }

  async remove(fileId: string, key: string): Promise<void> {
    await this.query('DELETE FROM file_renditions WHERE file_id = $1 AND rendition_key = $2', [fileId, key]);
  }

  async totalBytes(): Promise<number> {
    const { rows } = await this.db.withClient((c) => c.query<{ total: string }>('SELECT COALESCE(SUM(size_bytes), 0)::text AS total FROM file_renditions'));
    return Number(rows[0]?.total ?? 0);
  }

  async leastRecentlyUsed(limit: number): Promise<Rendition[]> {
    const { rows } = await this.query(`SELECT ${COLUMNS} FROM file_renditions ORDER BY last_used_at, created_at LIMIT $1`, [limit]);
    return rows.map(renditionOf);
  }

  private query(text: string, values: unknown[]) {
    return this.db.withClient((c) => c.query<Row>(text, values));
  }
}

/** Namespace of these locks (two-int form), apart from the exclusive-task and quota locks. */
const PRODUCTION_LOCK_NAMESPACE = 1_717_000_015;

/**
 * Transaction-level advisory locks (`pg_advisory_xact_lock`) on a pooled connection: held for the
 * production, freed by the COMMIT, or by the server if the process dies. Works through PgBouncer in
 * transaction mode, unlike session locks. The lookup and the row of the production go through the
 * same connection and transaction (no second pooled connection; the row is committed with the
 * lock's release). The BEGIN is sent with the lock in one round trip.
 */
export class PgProductionLocks implements ProductionLocks {
  constructor(private readonly db: PgSqlDatabase) {}

  exclusively<T>(name: string, work: (held: LockedRenditions) => Promise<T>): Promise<T> {
    return this.db.withClient(async (client: PoolClient) => {
      // Two statements in one simple-protocol query (no parameters allowed there): the name goes in as a literal.
      let result: T;
      try {
        await client.query(`BEGIN; SELECT pg_advisory_xact_lock(${PRODUCTION_LOCK_NAMESPACE}, hashtext(${client.escapeLiteral(name)}))`);
        result = await work({ find: (fileId, key) => findOn(client, fileId, key), save: (r) => saveOn(client, r) });
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
      await client.query('COMMIT');
      return result;
    });
  }
}

async function findOn(client: PoolClient, fileId: string, key: string): Promise<Rendition | null> {
  const { rows } = await client.query<Row>(`SELECT ${COLUMNS} FROM file_renditions WHERE file_id = $1 AND rendition_key = $2`, [fileId, key]);
  return rows[0] ? renditionOf(rows[0]) : null;
}

async function saveOn(client: PoolClient, r: Rendition): Promise<void> {
  await client.query(
    `INSERT INTO file_renditions (file_id, rendition_key, parameters, format, object_key, size_bytes, width, height,
       encryption_key_id, encryption_wrapped_key, created_at, last_used_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (file_id, rendition_key) DO NOTHING`,
    [r.fileId, r.key, r.parameters, r.format, r.objectKey, r.sizeBytes, r.width, r.height, r.encryption?.keyId ?? null, r.encryption?.wrappedKey ?? null, r.createdAt, r.lastUsedAt],
  );
}

function renditionOf(row: Row): Rendition {
  return {
    fileId: row.file_id,
    key: row.rendition_key,
    parameters: row.parameters,
    format: row.format,
    objectKey: row.object_key,
    sizeBytes: Number(row.size_bytes),
    width: row.width,
    height: row.height,
    encryption: row.encryption_key_id && row.encryption_wrapped_key ? { keyId: row.encryption_key_id, wrappedKey: row.encryption_wrapped_key } : null,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
