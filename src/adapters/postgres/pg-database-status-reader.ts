import type { PoolClient } from 'pg';
import type {
  DatabaseFacts,
  DatabaseStatusReader,
  IndexAdviceThresholds,
  IndexUsage,
  LockFacts,
  PerformanceFacts,
  ReaderRoleFacts,
  ReplicationFacts,
  ServerConnections,
  ServerFacts,
} from '../../application/ports/database-status.port';
import type { StatementStats } from '../../application/ports/query-timings.port';
import { READABLE_TABLES, READER_ROLE } from '../../domain/database/restricted-sql/reader-role';
import type { PgSqlDatabase } from './pg-sql-database';
import { readerGrantsFor } from './pg-reader-role-grants';
import { normalizeSql } from './sql-normalizer';
import * as q from './pg-status-sql';

type Row = Record<string, unknown>;

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const dateOrNull = (value: unknown): Date | null => (value instanceof Date ? value : value ? new Date(String(value)) : null);
const ratio = (hit: unknown, read: unknown): number | null => {
  const total = num(hit) + num(read);
  return total === 0 ? null : Math.round((num(hit) / total) * 10_000) / 10_000;
};
/** The one row a statistics query always returns. */
const only = (rows: Row[]): Row => {
  if (!rows[0]) throw new Error('expected one row');
  return rows[0];
};
/** Other sessions' statements as an operator may read them: normalized, never their values. */
const statement = (text: unknown): string => (typeof text === 'string' ? normalizeSql(text, 500) : '');

/**
 * /db/status from PostgreSQL's statistics views (pg_stat_*, pg_statio_*, pg_locks). Each part runs
 * in a read-only transaction with its own statement_timeout, so a view that hangs is cut off on the
 * server and not only abandoned by the caller.
 */
export class PgDatabaseStatusReader implements DatabaseStatusReader {
  constructor(
    private readonly db: PgSqlDatabase,
    private readonly statementTimeoutMs: number,
  ) {}

  server(): Promise<ServerFacts> {
    return this.read(async (c) => {
      const row = only((await c.query<Row>(q.SERVER)).rows);
      return { version: String(row.version), startedAt: dateOrNull(row.started_at) ?? new Date(0), uptimeSeconds: Math.floor(num(row.uptime_seconds)) };
    });
  }

  database(): Promise<DatabaseFacts> {
    return this.read(async (c) => {
      const db = only((await c.query<Row>(q.DATABASE)).rows);
      const tables = (await c.query<Row>(q.TABLES)).rows.map((t) => ({
        schema: String(t.schema),
        name: String(t.name),
        rowsEstimate: num(t.rows_estimate),
        totalBytes: num(t.total_bytes),
        indexBytes: num(t.index_bytes),
        seqScans: num(t.seq_scan),
        indexScans: num(t.idx_scan),
        deadRows: num(t.dead_rows),
        cacheHitRatio: ratio(t.heap_blks_hit, t.heap_blks_read),
        lastVacuum: dateOrNull(t.last_vacuum),
        lastAutovacuum: dateOrNull(t.last_autovacuum),
        lastAnalyze: dateOrNull(t.last_analyze),
        lastAutoanalyze: dateOrNull(t.last_autoanalyze),
      }));
      return { name: String(db.name), sizeBytes: num(db.size_bytes), tables };
    });
  }

  connections(): Promise<ServerConnections> {
    return this.read(async (c) => {
      const byState: Record<string, number> = {};
      let total = 0;
      for (const row of (await c.query<Row>(q.CONNECTIONS)).rows) {
        byState[String(row.state)] = num(row.count);
        total += num(row.count);
      }
      const max = only((await c.query<Row>(q.MAX_CONNECTIONS)).rows);
      return { byState, total, maxConnections: num(max.max_connections) };
    });
  }

  performance(): Promise<PerformanceFacts> {
    return this.read(async (c) => {
      const row = only((await c.query<Row>(q.PERFORMANCE)).rows);
      const [longest] = (await c.query<Row>(q.LONGEST_RUNNING)).rows;
      return {
        cacheHitRatio: ratio(row.blks_hit, row.blks_read),
        commits: num(row.xact_commit),
        rollbacks: num(row.xact_rollback),
        deadlocks: num(row.deadlocks),
        tempFiles: num(row.temp_files),
        tempBytes: num(row.temp_bytes),
        longestRunning: longest ? { pid: num(longest.pid), query: statement(longest.query), ageSeconds: round(num(longest.age_seconds)) } : null,
      };
    });
  }

  replication(): Promise<ReplicationFacts> {
    return this.read(async (c) => {
      const role = only((await c.query<Row>(q.RECOVERY)).rows);
      if (role.in_recovery) return { role: 'replica', replicas: [], replayLagSeconds: numOrNull(role.replay_lag_seconds) };
      const replicas = (await c.query<Row>(q.REPLICAS)).rows.map((r) => ({
        name: String(r.application_name ?? ''),
        clientAddr: r.client_addr === null || r.client_addr === undefined ? null : String(r.client_addr),
        state: String(r.state ?? 'unknown'),
        syncState: String(r.sync_state ?? 'unknown'),
        lagBytes: numOrNull(r.lag_bytes),
        replayLagSeconds: numOrNull(r.replay_lag_seconds),
      }));
      return { role: 'primary', replicas, replayLagSeconds: null };
    });
  }

  indexUsage(thresholds: IndexAdviceThresholds): Promise<IndexUsage> {
    return this.read(async (c) => {
      const tables = (await c.query<Row>(q.SEQ_SCANNED_TABLES, [thresholds.minRows, thresholds.minBytes])).rows;
      const indexes = (await c.query<Row>(q.UNUSED_INDEXES)).rows;
      return {
        seqScannedTables: tables.map((t) => ({
          schema: String(t.schema),
          table: String(t.table),
          seqScans: num(t.seq_scan),
          indexScans: num(t.idx_scan),
          rowsEstimate: num(t.rows_estimate),
          tableBytes: num(t.table_bytes),
        })),
        unusedIndexes: indexes.map((i) => ({ schema: String(i.schema), table: String(i.table), index: String(i.index), indexBytes: num(i.index_bytes) })),
      };
    });
  }

  locks(): Promise<LockFacts> {
    return this.read(async (c) => {
      const waiting = (await c.query<Row>(q.WAITING_LOCKS)).rows.map((w) => ({
        pid: num(w.pid),
        lockType: String(w.locktype),
        mode: String(w.mode),
        relation: w.relation === null || w.relation === undefined ? null : String(w.relation),
        query: statement(w.query),
        waitingSeconds: round(num(w.waiting_seconds)),
        blockedBy: ((w.blocked_by as unknown[]) ?? []).map(Number),
      }));
      const blockerPids = [...new Set(waiting.flatMap((w) => w.blockedBy))];
      const blockers = blockerPids.length === 0 ? [] : (await c.query<Row>(q.SESSIONS, [blockerPids])).rows;
      return {
        waiting,
        blockers: blockers.map((b) => ({ pid: num(b.pid), state: b.state === null ? null : String(b.state), query: statement(b.query), ageSeconds: round(num(b.age_seconds)) })),
      };
    });
  }

  /**
   * Null unless pg_stat_statements is installed in this database and loaded by the server (it must
   * be in shared_preload_libraries, or reading its view fails): the caller then uses its own timings.
   */
  async statementStats(limit: number): Promise<StatementStats[] | null> {
    return this.read(async (c) => {
      const [ext] = (await c.query<Row>(q.STATEMENTS_EXTENSION)).rows;
      if (!ext || !ext.loaded) return null;
      await c.query('SAVEPOINT statements');
      try {
        const rows = (await c.query<Row>(q.statementsSql(String(ext.schema)), [limit])).rows;
        return rows.map((r) => ({
          query: statement(r.query),
          calls: num(r.calls),
          totalMs: round(num(r.total_ms)),
          meanMs: round(num(r.mean_ms)),
          maxMs: round(num(r.max_ms)),
          rows: num(r.rows),
        }));
      } catch {
        // Installed but not readable (not preloaded after all, or no privilege): not a failure of the part.
        await c.query('ROLLBACK TO SAVEPOINT statements');
        return null;
      }
    });
  }

  /**
   * Tried for real: SET LOCAL ROLE inside a savepoint rolled back at once, so the rest of the
   * transaction (and the pooled connection) stays the service's user. When the role is not usable,
   * the grants are the ones POST /db/query's 503 names, less CREATE ROLE when the role exists.
   */
  readerRole(): Promise<ReaderRoleFacts> {
    return this.read(async (c) => {
      const who = only((await c.query<Row>(q.READER_ROLE, [READER_ROLE])).rows);
      const me = String(who.me);
      let readableTables: string[] = [];
      let reason: string | null = null;
      if (!who.present) reason = `the role ${READER_ROLE} does not exist: the service's user could not create it (migration 20240126_001); run the grants as a role allowed to`;
      else if (!who.member) reason = `the service's user ${me} is not a member of ${READER_ROLE}, so it cannot SET ROLE to it`;
      else {
        const privileges = only((await c.query<Row>(q.READER_ROLE_PRIVILEGES, [READER_ROLE, READABLE_TABLES])).rows);
        readableTables = (privileges.readable as string[]) ?? [];
        const switched = await this.trySetRole(c);
        if (switched) reason = `SET ROLE ${READER_ROLE} failed (SQLSTATE ${switched})`;
        else if (!privileges.schema_usage) reason = `${READER_ROLE} may not use the schema public`;
        else if (readableTables.length === 0 && num(privileges.tables_present) > 0) reason = `${READER_ROLE} may read none of the application tables`;
      }
      const grants = reason === null ? [] : (await readerGrantsFor(c, me)).filter((g) => !(who.present && g.startsWith('CREATE ROLE')));
      return { role: READER_ROLE, present: Boolean(who.present), usable: reason === null, reason, readableTables, grants };
    });
  }

  /** Null when the switch worked, else the SQLSTATE it failed with. */
  private async trySetRole(c: PoolClient): Promise<string | null> {
    await c.query('SAVEPOINT reader_role');
    try {
      await c.query(`SET LOCAL ROLE ${READER_ROLE}`);
      return null;
    } catch (error) {
      return String((error as { code?: string }).code ?? 'unknown');
    } finally {
      await c.query('ROLLBACK TO SAVEPOINT reader_role');
    }
  }

  private read<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.db.withClient(async (client) => {
      await client.query('BEGIN READ ONLY');
      try {
        await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(this.statementTimeoutMs))}`);
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
