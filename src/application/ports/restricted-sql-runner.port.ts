export interface RestrictedSqlRequest {
  sql: string;
  params: readonly unknown[];
  /** Rows returned at most; one more is read to know whether the answer was truncated. */
  maxRows: number;
  timeoutMs: number;
  /** An EXPLAIN runs as is (its plan is a few rows); anything else is read through a cursor. */
  kind: 'select' | 'explain';
}

export interface ResultColumn {
  name: string;
  /** PostgreSQL's name of the type (`integer`, `timestamp with time zone`, `jsonb`…). */
  type: string;
}

export interface RestrictedSqlResult {
  columns: ResultColumn[];
  /** One array per row, in `columns` order (names may repeat: `SELECT 1, 1`). */
  rows: unknown[][];
  truncated: boolean;
}

/**
 * Runs a statement the policy already allowed, as the least-privilege reader role, in a read-only
 * transaction that is always rolled back, bounded in time and memory. Failures are domain errors:
 * QueryTimeout, SqlPermissionDenied (the role may not read that), SqlExecutionFailed (PostgreSQL
 * refused the statement), SqlNotAllowed (it tried to write), SqlRoleUnavailable (the role is missing
 * or out of reach, with the statements that fix it), DatabaseUnavailable.
 */
export interface RestrictedSqlRunner {
  run(request: RestrictedSqlRequest): Promise<RestrictedSqlResult>;
}
