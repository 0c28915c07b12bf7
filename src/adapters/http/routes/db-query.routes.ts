import type { RunRestrictedSql } from '../../../application/database/restricted-sql/run-restricted-sql';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { DbQueryBodySchema, DbQueryResponseSchema } from '../schemas/db-query.schemas';

/** `POST /api/v1/db/query` (004 "Endpoints API Principaux"): restricted, read-only SQL for admins. */
export function dbQueryRoutes(routes: RouteBuilder, deps: { runRestrictedSql: RunRestrictedSql }): void {
  routes.define({
    method: 'post',
    path: '/api/v1/db/query',
    tag: 'Database operations',
    auth: 'admin',
    writes: false,
    summary: 'Run one read-only SELECT as the least-privilege role vb_sql_reader',
    description:
      'Parsed by PostgreSQL\'s own parser and refused unless it is one SELECT (WITH of selects, EXPLAIN without ANALYZE) calling only allow-listed functions; ' +
      'then run as vb_sql_reader (no secret columns, no internal tables) in a read-only transaction that is always rolled back, with statement_timeout and bounded work_mem.',
    body: DbQueryBodySchema,
    responses: {
      200: { description: 'The rows', schema: DbQueryResponseSchema },
      400: { description: 'SQL_NOT_ALLOWED, SQL_SYNTAX_ERROR (details.position), SQL_EXECUTION_ERROR (details.sqlstate), VALIDATION_ERROR', schema: ErrorBodySchema },
      403: { description: 'FORBIDDEN (not an admin), or SQL_PERMISSION_DENIED: vb_sql_reader may not read that table or column', schema: ErrorBodySchema },
      503: { description: 'SQL_ROLE_UNAVAILABLE: the reader role is missing; details.statements are what an operator must run', schema: ErrorBodySchema },
      504: { description: 'QUERY_TIMEOUT: cancelled after timeout_ms', schema: ErrorBodySchema },
    },
    // The statement's text, never its params (values) nor its rows.
    audit: { action: 'db.query', targetType: 'sql', details: ({ body }) => ({ sql: body.sql.slice(0, 4_000), param_count: body.params?.length ?? 0 }) },
    handler: async ({ body }, { caller }) => {
      const answer = await deps.runRestrictedSql.execute({ sql: body.sql, params: body.params, maxRows: body.max_rows, timeoutMs: body.timeout_ms, callerId: caller.userId });
      return {
        status: 200,
        body: { columns: answer.columns, rows: answer.rows, row_count: answer.rows.length, truncated: answer.truncated, execution_time_ms: answer.executionTimeMs },
        headers: { 'Cache-Control': 'no-store' },
      };
    },
  });
}
