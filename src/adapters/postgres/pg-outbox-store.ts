import type { PoolClient, QueryResultRow } from 'pg';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import type { OutboxStore, RecordOptions } from '../../application/ports/outbox-store.port';
import type { NewOutboxEntry, OutboxEffect, OutboxEntry, OutboxOutcome } from '../../domain/database/outbox-entry';
import { PgDatabaseSession, pgClientOf } from './pg-database-session';
import { PgPreparedStatements } from './pg-prepared-statements';
import { translatePgError } from './pg-error-translator';
import type { PgSqlDatabase } from './pg-sql-database';

/** Serializes relay passes across every instance sharing the database (advisory locks are per database). */
export const RELAY_LOCK_KEY = '7236015412380460';

interface EntryRow {
  id: string;
  transaction_id: string;
  seq: number;
  effect: OutboxEffect;
}

const ENTRY_COLUMNS = 'id::text AS id, transaction_id, seq, effect';

/**
 * `data_outbox`. Recording and reading use the service's pool; the relay and the applied-marks use
 * a small pool of their own (asynchronous commit, see data-write.bindings.ts), so a pool exhausted by
 * requests or leases never holds effects back and bookkeeping never shows in callers' pool statistics.
 */
export class PgOutboxStore implements OutboxStore {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly relayDb: PgSqlDatabase = db,
    /** Entries younger than this are left to the request that committed them. */
    private readonly graceMs = 1_000,
    /** Every transaction runs the same few statements: each connection parses and plans them once. */
    private readonly prepared = new PgPreparedStatements(),
  ) {}

  async record(session: DatabaseSession, transactionId: string, entries: readonly NewOutboxEntry[], options: RecordOptions = {}): Promise<void> {
    if (entries.length === 0) return;
    if (options.withCommit && session instanceof PgDatabaseSession && session.inTransaction) {
      // Sent with the COMMIT (values inlined as literals): one round trip less on the writer's path.
      const client = session.client;
      const id = client.escapeLiteral(transactionId);
      const rows = entries.map((entry) => `(${id}, ${Number(entry.seq)}, ${client.escapeLiteral(entry.effect.kind)}, ${client.escapeLiteral(JSON.stringify(entry.effect))}::jsonb)`);
      session.runWithCommit(`INSERT INTO data_outbox (transaction_id, seq, kind, effect) VALUES ${rows.join(', ')}`);
      return;
    }
    const values: unknown[] = [transactionId];
    const rows = entries.map((entry) => {
      values.push(entry.seq, entry.effect.kind, JSON.stringify(entry.effect));
      const n = values.length;
      return `($1, $${n - 2}::int, $${n - 1}, $${n}::jsonb)`;
    });
    // One statement, rows in request order: ids follow it, and effects apply in id order.
    await query(pgClientOf(session), `INSERT INTO data_outbox (transaction_id, seq, kind, effect) VALUES ${rows.join(', ')}`, values, this.prepared);
  }

  async pendingThrough(transactionId: string, limit: number): Promise<OutboxEntry[]> {
    // Its own entries, and before them the older unapplied Redis entries on the same keys (per-key
    // order); in-flight peers on other keys are their own requests' business. Both halves use an index:
    // (transaction_id, seq) and the partial (key, id) index of the unapplied Redis entries.
    const rows = await this.db.withClient((client) =>
      query<EntryRow>(
        client,
        `WITH own AS (
           SELECT id, transaction_id, seq, kind, effect FROM data_outbox WHERE transaction_id = $1 AND applied_at IS NULL
         ), keys AS (
           SELECT effect->'command'->>'key' AS key, max(id) AS last FROM own WHERE kind = 'redis' GROUP BY 1
         ), earlier AS (
           SELECT d.id, d.transaction_id, d.seq, d.effect
             FROM keys JOIN data_outbox d
               ON d.applied_at IS NULL AND d.kind = 'redis' AND d.effect->'command'->>'key' = keys.key AND d.id < keys.last
            WHERE d.transaction_id <> $1
         )
         SELECT id::text AS id, transaction_id, seq, effect FROM (
           SELECT id, transaction_id, seq, effect FROM own UNION ALL SELECT * FROM earlier
         ) entries ORDER BY entries.id LIMIT $2`,
        [transactionId, limit],
        this.prepared,
      ),
    );
    return rows.map(entryOf);
  }

  async markApplied(outcomes: readonly OutboxOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.relayDb.withClient((client) => markApplied(client, outcomes, this.prepared));
  }

  async relay(batchSize: number, apply: (entries: OutboxEntry[]) => Promise<OutboxOutcome[]>): Promise<number | null> {
    return this.relayDb.withClient(async (client) => {
      if (!(await this.overdue(client))) return 0;
      let total = 0;
      for (;;) {
        // A transaction-level lock per batch: it cannot outlive its transaction, even on a pooled connection.
        await client.query('BEGIN');
        try {
          const [lock] = await query<{ locked: boolean }>(client, 'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [RELAY_LOCK_KEY]);
          if (!lock?.locked) {
            await client.query('ROLLBACK');
            return total > 0 ? total : null;
          }
          const rows = await query<EntryRow>(client, `SELECT ${ENTRY_COLUMNS} FROM data_outbox WHERE applied_at IS NULL ORDER BY id LIMIT $1`, [batchSize]);
          const outcomes = rows.length > 0 ? await apply(rows.map(entryOf)) : [];
          await markApplied(client, outcomes, this.prepared);
          await client.query('COMMIT');
          total += outcomes.length;
          if (outcomes.length < rows.length || rows.length < batchSize) return total;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      }
    });
  }

  async hasPendingInvalidations(): Promise<boolean> {
    const [row] = await this.db.withClient((client) =>
      query<{ pending: boolean }>(client, `SELECT EXISTS (SELECT 1 FROM data_outbox WHERE applied_at IS NULL AND kind = 'invalidate') AS pending`),
    ).catch(whenNotMigrated([]));
    return row?.pending ?? false;
  }

  async newestPendingInvalidation(): Promise<string | null> {
    const [row] = await this.db.withClient((client) =>
      query<{ id: string | null }>(client, `SELECT max(id)::text AS id FROM data_outbox WHERE applied_at IS NULL AND kind = 'invalidate'`),
    ).catch(whenNotMigrated([]));
    return row?.id ?? null;
  }

  async invalidationsSettledThrough(position: string): Promise<boolean> {
    const [row] = await this.db.withClient((client) =>
      query<{ owed: boolean }>(
        client,
        `SELECT EXISTS (SELECT 1 FROM data_outbox WHERE applied_at IS NULL AND kind = 'invalidate' AND id <= $1::bigint) AS owed`,
        [position],
      ),
    ).catch(whenNotMigrated([]));
    return !(row?.owed ?? false);
  }

  async purgeApplied(before: Date): Promise<number> {
    let purged = 0;
    for (;;) {
      // In bounded batches: a day of busy traffic must not become one long-locking DELETE.
      const rows = await this.relayDb.withClient((client) =>
        query(client, 'DELETE FROM data_outbox WHERE id IN (SELECT id FROM data_outbox WHERE applied_at < $1 LIMIT 5000) RETURNING id', [before]),
      ).catch(whenNotMigrated([]));
      purged += rows.length;
      if (rows.length < 5000) return purged;
    }
  }

  private async overdue(client: PoolClient): Promise<boolean> {
    const [row] = await query<{ overdue: boolean }>(
      client,
      `SELECT EXISTS (SELECT 1 FROM data_outbox WHERE applied_at IS NULL AND created_at < clock_timestamp() - $1 * interval '1 millisecond') AS overdue`,
      [this.graceMs],
    ).catch(whenNotMigrated([]));
    return row?.overdue ?? false;
  }
}

async function markApplied(client: PoolClient, outcomes: readonly OutboxOutcome[], prepared?: PgPreparedStatements): Promise<void> {
  if (outcomes.length === 0) return;
  await query(
    client,
    // SKIP LOCKED: concurrent requests sharing a key apply (and mark) each other's entries; a row
    // another one is marking already is its business, not a lock to queue behind.
    `UPDATE data_outbox SET applied_at = clock_timestamp(), error = m.error
       FROM (SELECT d.id, o.error FROM unnest($1::bigint[], $2::text[]) AS o(id, error)
               JOIN data_outbox d ON d.id = o.id AND d.applied_at IS NULL
                FOR UPDATE OF d SKIP LOCKED) AS m
      WHERE data_outbox.id = m.id`,
    [outcomes.map((o) => o.id), outcomes.map((o) => o.error)],
    prepared,
  );
}

/**
 * `prepared`: run as a named statement. Only for statements that return no rows (an INSERT or
 * UPDATE, which a migration cannot make stale inside a transaction) or that run outside one.
 */
async function query<R extends object = Record<string, unknown>>(client: PoolClient, text: string, values: unknown[] = [], prepared?: PgPreparedStatements): Promise<R[]> {
  try {
    if (prepared) return (await prepared.query<R & QueryResultRow>(client, { text, values })).rows;
    return (await client.query<R>(text, values)).rows;
  } catch (error) {
    throw translatePgError(error);
  }
}

/** Before its migration has run there is no outbox, hence nothing owed: not an error to report twice a second. */
function whenNotMigrated<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if ((error as { code?: unknown })?.code === '42P01') return fallback;
    throw error;
  };
}

function entryOf(row: EntryRow): OutboxEntry {
  return { id: row.id, transactionId: row.transaction_id, seq: row.seq, effect: row.effect };
}
