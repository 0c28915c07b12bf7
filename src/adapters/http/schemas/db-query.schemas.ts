import { RESTRICTED_SQL_LIMITS as LIMITS } from '../../../domain/database/restricted-sql/limits';
import { z } from '../openapi/zod';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const Param = z.union([Scalar, z.array(Scalar), z.record(z.string(), z.unknown())]).openapi({
  description: 'Bound to $1, $2… as values, never spliced into the text: an array binds as a PostgreSQL array, an object as json',
});

export const DbQueryBodySchema = z
  .object({
    sql: z
      .string()
      .min(1)
      .max(LIMITS.maxSqlLength)
      .openapi({ description: 'Exactly one SELECT (a WITH of selects, or EXPLAIN without ANALYZE of one); $1, $2… for params', example: 'SELECT id, email FROM users WHERE created_at > $1 ORDER BY created_at DESC' }),
    params: z.array(Param).max(LIMITS.maxParams).default([]).openapi({ example: ['2024-01-01T00:00:00Z'] }),
    max_rows: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.maxRows.max)
      .default(LIMITS.maxRows.default)
      .openapi({ description: `Rows returned at most (1–${LIMITS.maxRows.max}); more sets truncated: true` }),
    timeout_ms: z
      .number()
      .int()
      .min(1)
      .max(LIMITS.timeoutMs.max)
      .default(LIMITS.timeoutMs.default)
      .openapi({ description: `The statement is cancelled after this long (1–${LIMITS.timeoutMs.max}) and the call answers 504 QUERY_TIMEOUT` }),
  })
  .strict()
  .openapi('DbQueryRequest');

export const DbQueryResponseSchema = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string().openapi({ example: 'timestamp with time zone' }) })),
    rows: z.array(z.array(z.unknown())).openapi({
      description: 'One array per row in columns order; values as the structured query gives them (timestamps ISO 8601, bigint and numeric as strings, json as JSON)',
    }),
    row_count: z.number().int(),
    truncated: z.boolean().openapi({ description: 'More rows matched than max_rows' }),
    execution_time_ms: z.number().int(),
  })
  .openapi('DbQueryResponse');
