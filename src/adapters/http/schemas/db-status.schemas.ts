import type { ZodRawShape } from 'zod';
import { z } from '../openapi/zod';

const DateTime = z.string().openapi({ format: 'date-time' });
const Count = z.number().int().nonnegative();
const Ratio = z.number().min(0).max(1).nullable().openapi({ description: 'null before any block was read' });

const Unavailable = z
  .object({ available: z.literal(false), reason: z.string().openapi({ example: 'no answer within 2000ms' }) })
  .openapi('DbStatusPartUnavailable', { description: 'This part could not be read (timeout, permission, error); the others still answer' });

/** A part of the report: its facts with `available: true`, or the reason it could not be read. */
function part<T extends ZodRawShape>(name: string, shape: T) {
  return z.union([z.object({ available: z.literal(true), ...shape }).openapi(name), Unavailable]);
}

const Table = z.object({
  schema: z.string(),
  name: z.string(),
  rows_estimate: Count,
  total_bytes: Count,
  index_bytes: Count,
  seq_scans: Count,
  index_scans: Count,
  dead_rows: Count,
  cache_hit_ratio: Ratio,
  last_vacuum: DateTime.nullable(),
  last_autovacuum: DateTime.nullable(),
  last_analyze: DateTime.nullable(),
  last_autoanalyze: DateTime.nullable(),
});

const Pool = z.object({
  name: z.enum(['primary', 'replica']),
  active: Count,
  idle: Count,
  waiting: Count.openapi({ description: 'Callers queued for a client of this pool' }),
  total: Count,
  max: Count,
});
const ServiceConnections = {
  pools: z.array(Pool).openapi({ description: "This instance's pg pools" }),
  leases_open: z.object({ read: Count, write: Count }).openapi({ description: 'Connection leases this instance holds' }),
};

const Statement = z.object({
  query: z.string().openapi({ description: 'Normalized: literal values replaced by ? or $n', example: 'SELECT * FROM files WHERE user_id = $1 LIMIT ?' }),
  calls: Count,
  total_ms: z.number(),
  mean_ms: z.number(),
  max_ms: z.number(),
  rows: Count,
});

const Session = z.object({ pid: z.number().int(), query: z.string(), age_seconds: z.number() });

export const DbStatusResponseSchema = z
  .object({
    server: part('DbStatusServer', { version: z.string().openapi({ example: '15.8' }), started_at: DateTime, uptime_seconds: Count }),
    database: part('DbStatusDatabase', { name: z.string(), size_bytes: Count, tables: z.array(Table).openapi({ description: 'Largest first (at most 500)' }) }),
    connections: z.union([
      z.object({ available: z.literal(true), by_state: z.record(z.string(), Count), total: Count, max_connections: Count, ...ServiceConnections }).openapi('DbStatusConnections'),
      Unavailable.extend(ServiceConnections).openapi('DbStatusConnectionsUnavailable', { description: "The server's view failed; the service's own pools and leases are still reported" }),
    ]),
    performance: part('DbStatusPerformance', {
      cache_hit_ratio: Ratio,
      commits: Count,
      rollbacks: Count,
      deadlocks: Count,
      temp_files: Count,
      temp_bytes: Count,
      longest_running: Session.nullable().openapi({ description: 'The oldest statement running now (another session), normalized' }),
    }),
    replication: part('DbStatusReplication', {
      role: z.enum(['primary', 'replica']),
      replicas: z.array(
        z.object({
          name: z.string(),
          client_addr: z.string().nullable(),
          state: z.string(),
          sync_state: z.string(),
          lag_bytes: z.number().nullable(),
          replay_lag_seconds: z.number().nullable(),
        }),
      ),
      replay_lag_seconds: z.number().nullable().openapi({ description: 'On a replica: age of the last replayed transaction' }),
    }),
    slow_queries: part('DbStatusSlowQueries', {
      source: z.enum(['pg_stat_statements', 'service']).openapi({
        description: "pg_stat_statements when the extension is loaded (every client of the database); else this instance's own timings since it started",
      }),
      statements: z.array(Statement).openapi({ description: 'Largest total time first' }),
    }),
    index_advice: part('DbStatusIndexAdvice', {
      thresholds: z.object({ min_rows: Count, min_bytes: Count }),
      seq_scanned_tables: z.array(
        z.object({ schema: z.string(), table: z.string(), seq_scans: Count, index_scans: Count, rows_estimate: Count, table_bytes: Count, suggestion: z.string() }),
      ),
      unused_indexes: z.array(z.object({ schema: z.string(), table: z.string(), index: z.string(), index_bytes: Count, suggestion: z.string() })),
    }),
    locks: part('DbStatusLocks', {
      waiting: z.array(
        z.object({
          pid: z.number().int(),
          lock_type: z.string(),
          mode: z.string(),
          relation: z.string().nullable(),
          query: z.string(),
          waiting_seconds: z.number(),
          blocked_by: z.array(z.number().int()).openapi({ description: 'pids holding what it waits for (pg_blocking_pids)' }),
        }),
      ),
      blockers: z.array(Session.extend({ state: z.string().nullable() })),
    }),
    last_backup: part('DbStatusLastBackup', {
      backup: z
        .object({ id: z.string(), kind: z.enum(['manual', 'scheduled', 'pre_restore']), completed_at: DateTime, size_bytes: Count, age_seconds: Count })
        .nullable()
        .openapi({ description: 'null: no backup has completed' }),
    }),
    restricted_sql: part('DbStatusRestrictedSql', {
      role: z.string().openapi({ example: 'vb_sql_reader' }),
      present: z.boolean().openapi({ description: 'The role exists on the server (created by migration 20240126_001, or by an operator)' }),
      usable: z.boolean().openapi({ description: "The service's user could SET ROLE to it (tried in a transaction rolled back) and it may use the schema public: POST /api/v1/db/query works" }),
      reason: z.string().nullable().openapi({ description: 'Why it is not usable; null when it is' }),
      readable_tables: z.array(z.string()).openapi({ description: 'Application tables it may SELECT from (secret columns excluded)' }),
      grants: z.array(z.string()).openapi({
        description: 'When not usable: the statements an operator runs (as a role allowed to) in this database, as POST /api/v1/db/query answers with its 503 SQL_ROLE_UNAVAILABLE; empty when usable',
        example: ['GRANT vb_sql_reader TO "visiobook";', 'GRANT USAGE ON SCHEMA public TO vb_sql_reader;'],
      }),
    }),
  })
  .openapi('DbStatus');
