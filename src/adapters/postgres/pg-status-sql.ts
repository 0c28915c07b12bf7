/** The statistics queries behind /db/status (PostgreSQL 13+: pg_stat_statements' *_exec_time columns). */

export const SERVER = `
  SELECT current_setting('server_version') AS version,
         pg_postmaster_start_time() AS started_at,
         EXTRACT(EPOCH FROM now() - pg_postmaster_start_time())::float8 AS uptime_seconds`;

export const DATABASE = `SELECT current_database() AS name, pg_database_size(current_database())::float8 AS size_bytes`;

/** Largest first; reltuples is -1 before the first ANALYZE, when the live-row count stands in. */
export const TABLES = `
  SELECT s.schemaname AS schema, s.relname AS name,
         (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::float8 AS rows_estimate,
         pg_total_relation_size(s.relid)::float8 AS total_bytes,
         pg_indexes_size(s.relid)::float8 AS index_bytes,
         s.seq_scan::float8 AS seq_scan, COALESCE(s.idx_scan, 0)::float8 AS idx_scan, s.n_dead_tup::float8 AS dead_rows,
         io.heap_blks_hit::float8 AS heap_blks_hit, io.heap_blks_read::float8 AS heap_blks_read,
         s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze
    FROM pg_stat_user_tables s
    JOIN pg_class c ON c.oid = s.relid
    LEFT JOIN pg_statio_user_tables io ON io.relid = s.relid
   ORDER BY pg_total_relation_size(s.relid) DESC, s.schemaname, s.relname
   LIMIT 500`;

export const CONNECTIONS = `
  SELECT COALESCE(state, 'unknown') AS state, count(*)::int AS count
    FROM pg_stat_activity WHERE backend_type = 'client backend'
   GROUP BY 1 ORDER BY 1`;

export const MAX_CONNECTIONS = `SELECT current_setting('max_connections')::int AS max_connections`;

export const PERFORMANCE = `
  SELECT blks_hit::float8 AS blks_hit, blks_read::float8 AS blks_read, xact_commit::float8 AS xact_commit,
         xact_rollback::float8 AS xact_rollback, deadlocks::float8 AS deadlocks, temp_files::float8 AS temp_files,
         temp_bytes::float8 AS temp_bytes
    FROM pg_stat_database WHERE datname = current_database()`;

/** In this database, like the performance counters beside it. */
export const LONGEST_RUNNING = `
  SELECT pid, query, EXTRACT(EPOCH FROM now() - query_start)::float8 AS age_seconds
    FROM pg_stat_activity
   WHERE state = 'active' AND backend_type = 'client backend' AND datname = current_database()
     AND pid <> pg_backend_pid() AND query_start IS NOT NULL
   ORDER BY query_start LIMIT 1`;

export const RECOVERY = `
  SELECT pg_is_in_recovery() AS in_recovery,
         CASE WHEN pg_is_in_recovery() THEN EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())::float8 END AS replay_lag_seconds`;

export const REPLICAS = `
  SELECT application_name, client_addr::text AS client_addr, state, sync_state,
         pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes,
         EXTRACT(EPOCH FROM replay_lag)::float8 AS replay_lag_seconds
    FROM pg_stat_replication ORDER BY application_name`;

/** $1 rows, $2 bytes: above either, a table read mostly by sequential scans deserves a look. */
export const SEQ_SCANNED_TABLES = `
  SELECT * FROM (
    SELECT s.schemaname AS schema, s.relname AS table, s.seq_scan::float8 AS seq_scan, COALESCE(s.idx_scan, 0)::float8 AS idx_scan,
           (CASE WHEN c.reltuples < 0 THEN s.n_live_tup ELSE c.reltuples END)::float8 AS rows_estimate,
           pg_relation_size(s.relid)::float8 AS table_bytes, s.seq_tup_read
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.seq_scan > COALESCE(s.idx_scan, 0)
  ) t
   WHERE t.rows_estimate >= $1 OR t.table_bytes >= $2
   ORDER BY t.seq_tup_read DESC LIMIT 50`;

/** Never scanned, and not there to enforce anything (unique, primary key, exclusion constraint). */
export const UNUSED_INDEXES = `
  SELECT s.schemaname AS schema, s.relname AS table, s.indexrelname AS index, pg_relation_size(s.indexrelid)::float8 AS index_bytes
    FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
   WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT i.indisprimary
     AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = s.indexrelid)
   ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelname LIMIT 50`;

/** Sessions of this database waiting for a lock; their blockers may be anywhere on the server. */
export const WAITING_LOCKS = `
  SELECT l.pid, l.locktype, l.mode, CASE WHEN l.relation IS NOT NULL THEN l.relation::regclass::text END AS relation,
         a.query, EXTRACT(EPOCH FROM now() - COALESCE(a.state_change, a.query_start))::float8 AS waiting_seconds,
         pg_blocking_pids(l.pid) AS blocked_by
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
   WHERE NOT l.granted AND a.datname = current_database()
   ORDER BY waiting_seconds DESC LIMIT 100`;

export const SESSIONS = `
  SELECT pid, state, query, EXTRACT(EPOCH FROM now() - COALESCE(query_start, backend_start))::float8 AS age_seconds
    FROM pg_stat_activity WHERE pid = ANY($1::int[]) ORDER BY pid`;

export const STATEMENTS_EXTENSION = `
  SELECT n.nspname AS schema,
         COALESCE(current_setting('shared_preload_libraries', true), '') ~ '(^|[\\s,])"?pg_stat_statements"?($|[\\s,])' AS loaded
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'pg_stat_statements'`;

/** This database's statements, costliest first. */
export function statementsSql(schema: string): string {
  return `
  SELECT query, calls::float8 AS calls, total_exec_time AS total_ms, mean_exec_time AS mean_ms, max_exec_time AS max_ms, rows::float8 AS rows
    FROM "${schema.replace(/"/g, '""')}".pg_stat_statements
   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   ORDER BY total_exec_time DESC LIMIT $1`;
}

/** Restricted SQL's role ($1): does it exist, and may the service's user switch to it? */
export const READER_ROLE = `
  SELECT current_user AS me, r.oid IS NOT NULL AS present,
         CASE WHEN r.oid IS NULL THEN false ELSE pg_has_role(current_user, r.oid, 'MEMBER') END AS member
    FROM (SELECT 1) one LEFT JOIN pg_roles r ON r.rolname = $1`;

/** What the role ($1) may read: the public schema, and which of the application tables ($2) present here. */
export const READER_ROLE_PRIVILEGES = `
  SELECT has_schema_privilege($1, 'public', 'USAGE') AS schema_usage,
         count(c.oid)::int AS tables_present,
         COALESCE(array_agg(c.relname::text ORDER BY c.relname) FILTER (WHERE has_any_column_privilege($1, c.oid, 'SELECT')), '{}') AS readable
    FROM pg_class c
   WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($2::text[])`;
