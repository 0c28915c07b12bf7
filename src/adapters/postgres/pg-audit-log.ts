import type { PoolClient } from 'pg';
import type { AuditFilter, AuditLog, AuditPage, AuditPageRequest } from '../../application/ports/audit-log.port';
import type { AuditTrail } from '../../application/ports/audit-trail.port';
import type { Clock } from '../../application/ports/clock.port';
import type { DatabaseSession } from '../../application/ports/database-session.port';
import type { RequestOrigin } from '../../application/ports/request-origin.port';
import { ChainWalk, linkAfter, sealEntry, SYSTEM_ACTOR, type AuditEntry, type ChainVerdict, type NewAuditEntry, type SealedAuditEntry } from '../../domain/audit/audit-entry';
import { pgClientOf, PgDatabaseSession } from './pg-database-session';
import { translatePgError } from './pg-error-translator';
import type { PgSqlDatabase } from './pg-sql-database';

interface AuditRow {
  id: string;
  occurred_at: Date;
  actor_sub: string | null;
  actor_role: string | null;
  actor_service: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  client_ip: string | null;
  user_agent: string | null;
  outcome: string;
  details: Record<string, unknown>;
  chain_seq: string | null;
  prev_hash: string | null;
  hash: string | null;
}

const COLUMNS =
  'id::text AS id, occurred_at, actor_sub, actor_role, actor_service, action, target_type, target_id, request_id, client_ip, user_agent, outcome, details, chain_seq::text AS chain_seq, prev_hash, hash';
const BATCH = 2_000;
/** Serializes the chainers and the retention job across every instance sharing the database. */
const CHAIN_LOCK_KEY = '7236015412380461';

/**
 * Turns entries into audit_append()'s JSON argument, sealed with the current request's origin: for
 * adapters that write on a client of their own (migrations, the encrypted columns' pass) and append
 * the entries to their own transaction with `SELECT audit_append($1::jsonb)`.
 */
export interface AuditPayloads {
  payload(entries: readonly NewAuditEntry[]): string;
}

/**
 * `audit_log` (migration 20240130_001). Entries are inserted by audit_append() inside the writer's
 * transaction, sent with its COMMIT; `chain()` links them afterwards, one chainer at a time, so
 * writers never wait for each other (a chain head locked until each writer's COMMIT had flushed
 * serialized every audited transaction: docs/benchmarks.md, "Audit (issue 11)").
 */
export class PgAuditLog implements AuditTrail, AuditLog, AuditPayloads {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly origin: RequestOrigin,
    private readonly clock: Clock,
  ) {}

  /** audit_append()'s argument: the entries sealed with the current origin, for a writer that holds its own client (migrations). */
  payload(entries: readonly NewAuditEntry[]): string {
    const origin = this.origin.current();
    const now = this.clock.now();
    return JSON.stringify(entries.map((entry) => rowOf(sealEntry(entry, origin, now))));
  }

  async record(entries: readonly NewAuditEntry[], session?: DatabaseSession): Promise<void> {
    if (entries.length === 0) return;
    const payload = this.payload(entries);
    if (session?.inTransaction) {
      // Sent with the COMMIT: no extra round trip on the writer's path.
      const client = pgClientOf(session);
      pgSessionOf(session).runWithCommit(`SELECT audit_append(${client.escapeLiteral(payload)}::jsonb)`);
      return;
    }
    // One statement, committed on its own (the entries of one call commit together).
    await this.db.withClient((client) => run(client, 'SELECT audit_append($1::jsonb)', [payload]));
  }

  async list(filter: AuditFilter, page: AuditPageRequest): Promise<AuditPage> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.actor !== undefined) add('actor_sub = ?', filter.actor);
    if (filter.action !== undefined) add('action = ?', filter.action);
    if (filter.targetId !== undefined) add('target_id = ?', filter.targetId);
    if (filter.outcome !== undefined) add('outcome = ?', filter.outcome);
    if (filter.from !== undefined) add('occurred_at >= ?', filter.from);
    if (filter.to !== undefined) add('occurred_at <= ?', filter.to);
    const filtered = [...where];
    if (page.beforeId !== undefined) add('id < ?::bigint', page.beforeId);
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const offset = page.beforeId === undefined && page.page !== undefined ? (page.page - 1) * page.limit : 0;
    return this.db.withClient(async (client) => {
      const rows = await run<AuditRow>(client, `SELECT ${COLUMNS} FROM audit_log ${clause} ORDER BY audit_log.id DESC LIMIT ${page.limit + 1} OFFSET ${offset}`, values);
      let total: number | null = null;
      if (page.beforeId === undefined) {
        const filterValues = values.slice(0, filtered.length);
        const counted = await run<{ n: string }>(client, `SELECT count(*)::text AS n FROM audit_log ${filtered.length > 0 ? `WHERE ${filtered.join(' AND ')}` : ''}`, filterValues);
        total = Number(counted[0]?.n ?? 0);
      }
      const more = rows.length > page.limit;
      const entries = rows.slice(0, page.limit).map(entryOf);
      return { entries, total, nextBeforeId: more ? (entries[entries.length - 1]?.id ?? null) : null };
    });
  }

  async chain(): Promise<number | null> {
    return this.inTransaction(async (client) => {
      const [locked] = await run<{ locked: boolean }>(client, 'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [CHAIN_LOCK_KEY]);
      if (!locked?.locked) return null;
      let head = await headOf(client);
      let linked = 0;
      for (;;) {
        // Committed entries only (READ COMMITTED): one still in its writer's transaction is linked next time.
        const rows = await run<AuditRow>(client, `SELECT ${COLUMNS} FROM audit_log WHERE chain_seq IS NULL ORDER BY audit_log.id LIMIT ${BATCH}`);
        if (rows.length === 0) return linked;
        const chained = linkAfter(head, rows.map(entryOf));
        await run(
          client,
          `UPDATE audit_log a SET chain_seq = v.seq, prev_hash = v.prev, hash = v.hash
             FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, seq, prev, hash)
            WHERE a.id = v.id`,
          [chained.map((e) => e.id), chained.map((e) => e.chainSeq), chained.map((e) => e.prevHash), chained.map((e) => e.hash)],
        );
        linked += chained.length;
        const last = chained[chained.length - 1]!;
        head = { seq: last.chainSeq, hash: last.hash };
        if (rows.length < BATCH) return linked;
      }
    });
  }

  async verify(): Promise<ChainVerdict> {
    await this.chain();
    return this.db.withClient(async (client) => {
      // One snapshot for the walk: entries linked meanwhile are not half-seen.
      await run(client, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const [anchor] = await run<{ last_seq: string; last_hash: string }>(client, 'SELECT last_seq::text AS last_seq, last_hash FROM audit_chain_anchor');
        const walk = new ChainWalk(anchor?.last_seq ?? '0', anchor?.last_hash ?? '0'.repeat(64));
        let after = anchor?.last_seq ?? '0';
        for (;;) {
          const rows = await run<AuditRow>(client, `SELECT ${COLUMNS} FROM audit_log WHERE audit_log.chain_seq > $1::bigint ORDER BY audit_log.chain_seq LIMIT ${BATCH}`, [after]);
          let going = true;
          for (const row of rows) if (!(going = walk.next(entryOf(row)))) break;
          if (!going || rows.length < BATCH) break;
          after = rows[rows.length - 1]!.chain_seq!;
        }
        const [pending] = await run<{ n: string }>(client, 'SELECT count(*)::text AS n FROM audit_log WHERE chain_seq IS NULL');
        return walk.verdict(Number(pending?.n ?? 0));
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  async purgeBefore(before: Date, entry: (purged: number, anchorSeq: string) => NewAuditEntry): Promise<number> {
    await this.chain();
    return this.inTransaction(async (client) => {
      // The chainers' lock: the head does not move while the anchor does.
      await run(client, 'SELECT pg_advisory_xact_lock($1::bigint)', [CHAIN_LOCK_KEY]);
      // Only a prefix of the chain is purged (up to the first entry inside the window), so what
      // remains is one unbroken chain; unchained entries are never purged.
      const [last] = await run<{ seq: string; hash: string }>(
        client,
        `SELECT chain_seq::text AS seq, hash FROM audit_log
          WHERE chain_seq < coalesce((SELECT min(chain_seq) FROM audit_log WHERE occurred_at >= $1), 9223372036854775807)
          ORDER BY audit_log.chain_seq DESC LIMIT 1`,
        [before],
      );
      if (!last) return 0; // nothing past retention: no entry either (the job runs hourly)
      await run(client, "SET LOCAL vb.audit_retention = 'on'");
      const deleted = await run<{ id: string }>(client, 'DELETE FROM audit_log WHERE chain_seq <= $1::bigint RETURNING id::text AS id', [last.seq]);
      await run(client, 'UPDATE audit_chain_anchor SET last_seq = $1::bigint, last_hash = $2, moved_at = now()', [last.seq, last.hash]);
      await run(client, "SET LOCAL vb.audit_retention = 'off'");
      const sealed = sealEntry(entry(deleted.length, last.seq), { actor: SYSTEM_ACTOR, requestId: null, clientIp: null, userAgent: null }, this.clock.now());
      await run(client, 'SELECT audit_append($1::jsonb)', [JSON.stringify([rowOf(sealed)])]);
      return deleted.length;
    });
  }

  private inTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.db.withClient(async (client) => {
      await run(client, 'BEGIN', []);
      try {
        const result = await work(client);
        await run(client, 'COMMIT', []);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}

function rowOf(entry: SealedAuditEntry) {
  return {
    occurred_at: entry.occurredAt.toISOString(),
    actor_sub: entry.actor.sub,
    actor_role: entry.actor.role,
    actor_service: entry.actor.serviceName,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    request_id: entry.requestId,
    client_ip: entry.clientIp,
    user_agent: entry.userAgent,
    outcome: entry.outcome,
    details: entry.details,
  };
}

function entryOf(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    occurredAt: row.occurred_at,
    actor: { sub: row.actor_sub, role: row.actor_role, serviceName: row.actor_service },
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    requestId: row.request_id,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    outcome: row.outcome,
    details: row.details,
    chainSeq: row.chain_seq,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The chain's newest link, or its anchor when nothing is chained. */
async function headOf(client: PoolClient): Promise<{ seq: string; hash: string }> {
  const [head] = await run<{ seq: string; hash: string }>(
    client,
    `SELECT seq, hash FROM (
       (SELECT chain_seq::text AS seq, hash, 1 AS rank FROM audit_log WHERE chain_seq IS NOT NULL ORDER BY audit_log.chain_seq DESC LIMIT 1)
       UNION ALL SELECT last_seq::text, last_hash, 2 FROM audit_chain_anchor) h ORDER BY rank LIMIT 1`,
  );
  return head ?? { seq: '0', hash: '0'.repeat(64) };
}

async function run<R = Record<string, unknown>>(client: PoolClient, sql: string, values: unknown[] = []): Promise<R[]> {
  try {
    return (await client.query(sql, values)).rows as R[];
  } catch (error) {
    throw translatePgError(error);
  }
}

function pgSessionOf(session: DatabaseSession): PgDatabaseSession {
  if (!(session instanceof PgDatabaseSession)) throw new Error('not a PostgreSQL session');
  return session;
}
