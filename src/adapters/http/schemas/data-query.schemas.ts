import { KEY_PATTERN } from '../../../domain/database/key-namespace';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../../../domain/database/query-spec';
import { z } from '../openapi/zod';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/**
 * Loose on purpose: an operator this schema does not list passes through to the query builder,
 * whose 400 names it (filters.status.regex: unknown operator ...) instead of a vague union error.
 */
const OperatorObject = z
  .looseObject({
    eq: Scalar.optional().openapi({ description: 'Equal (same as a plain value)' }),
    neq: Scalar.optional().openapi({ description: 'Not equal (rows where the column is NULL do not match)' }),
    gt: Scalar.optional().openapi({ description: 'Greater than' }),
    gte: Scalar.optional().openapi({ description: 'Greater than or equal' }),
    lt: Scalar.optional().openapi({ description: 'Less than' }),
    lte: Scalar.optional().openapi({ description: 'Less than or equal' }),
    in: z.array(Scalar).min(1).max(1000).optional().openapi({ description: 'One of these values (1 to 1000)' }),
    like: z.string().optional().openapi({ description: 'SQL LIKE pattern, case-sensitive: % any run, _ one character, \\ escapes' }),
    ilike: z.string().optional().openapi({ description: 'Like `like`, case-insensitive' }),
    is_null: z.boolean().optional().openapi({ description: 'true: the column is NULL; false: it is not' }),
  })
  .openapi('FilterOperators', {
    description: 'Several operators on one column are ANDed, e.g. {"gte": 10, "lt": 20}.',
    example: { gte: '2024-01-01T00:00:00Z', lt: '2024-02-01T00:00:00Z' },
  });

const FilterCondition = z
  .union([Scalar, z.null(), OperatorObject], { error: 'expected a value, null, or an operator object such as {"gte": 10}' })
  .openapi('FilterCondition', {
    description:
      'A plain value means equality; null means IS NULL; an object applies operators. Values are always bound ' +
      "parameters cast to the column's type: a value the type rejects (a malformed uuid) is a 400 naming the filter.",
  });

const Name = z.string().min(1).max(128);

export const PostgresQueryBodySchema = z
  .object({
    database: z.literal('postgresql'),
    query_type: z.literal('select'),
    table: Name.openapi({ description: 'A table of the migrated schema', example: 'projects' }),
    filters: z
      .record(z.string(), FilterCondition)
      .optional()
      .openapi({
        description: 'Column → condition, all ANDed. Operators: eq, neq, gt, gte, lt, lte, in, like, ilike, is_null.',
        example: { status: 'active', created_at: { gte: '2024-01-01' }, visibility: { in: ['private', 'shared'] }, title: { ilike: '%book%' }, deleted_at: { is_null: true } },
      }),
    pagination: z
      .object({
        page: z.number().int().min(1).max(1_000_000).default(1),
        limit: z.number().int().min(1).max(MAX_LIMIT).default(DEFAULT_LIMIT).openapi({ description: `Rows per page, at most ${MAX_LIMIT}` }),
      })
      .strict()
      .optional(),
    sort: z
      .array(z.object({ column: Name, direction: z.enum(['asc', 'desc']).default('asc') }).strict())
      .max(10)
      .optional()
      .openapi({ description: 'Applied in order; the primary key breaks ties so pages are stable', example: [{ column: 'created_at', direction: 'desc' }] }),
    fields: z.array(Name).max(200).optional().openapi({ description: 'Columns to return (default: all but secret ones)', example: ['id', 'title', 'status'] }),
    cache: z.enum(['default', 'bypass']).default('default').openapi({ description: 'bypass: read PostgreSQL, neither read nor fill the cache' }),
    count: z.enum(['exact', 'none']).default('exact').openapi({ description: 'none: skip counting (pagination.total and pages are null)' }),
    connection_id: z.string().min(1).max(128).optional().openapi({ description: 'Run on this lease (never cached: it may see uncommitted rows)' }),
  })
  .strict()
  .openapi('PostgresQueryRequest');

const RedisKey = z.string().regex(KEY_PATTERN, 'expected letters, digits and : _ - . @ / (1 to 256)');

export const RedisGetBodySchema = z
  .object({
    database: z.literal('redis'),
    query_type: z.literal('get'),
    key: RedisKey.optional().openapi({ description: 'One key in your own namespace (the word the transaction operations use); or `keys`', example: 'session' }),
    keys: z
      .array(RedisKey)
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: 'Keys in your own namespace; or `key` for one. Strings come back as text, hashes as objects', example: ['project:cache:p1'] }),
  })
  .strict()
  // Exactly one of the two: both would leave it unclear which the caller meant.
  .superRefine((body, ctx) => {
    const given = [body.key, body.keys].filter((v) => v !== undefined).length;
    if (given !== 1) ctx.addIssue({ code: 'custom', path: [], message: given === 0 ? 'expected key (one key) or keys (a list)' : 'expected key or keys, not both' });
  })
  .openapi('RedisGetRequest', {
    description: 'Exactly one of `key` and `keys`; the answer is keyed by key either way.',
    oneOf: [{ required: ['key'] }, { required: ['keys'] }],
  });

export const DataQueryBodySchema = z.discriminatedUnion('database', [PostgresQueryBodySchema, RedisGetBodySchema]);
export type DataQueryBody = z.infer<typeof DataQueryBodySchema>;

const CacheIndicator = z.enum(['hit', 'miss', 'bypass']);

export const PostgresQueryResponseSchema = z
  .object({
    data: z.array(z.record(z.string(), z.unknown())),
    pagination: z.object({
      page: z.number().int(),
      limit: z.number().int(),
      total: z.number().int().nullable(),
      pages: z.number().int().nullable(),
    }),
    execution_time_ms: z.number(),
    cache: CacheIndicator,
  })
  .openapi('PostgresQueryResponse');

export const RedisGetResponseSchema = z
  .object({
    data: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string()), z.null()])).openapi({ example: { 'project:cache:p1': '{"status":"created"}', missing: null } }),
    execution_time_ms: z.number(),
    cache: z.literal('bypass'),
  })
  .openapi('RedisGetResponse');

export const DataQueryResponseSchema = z.union([PostgresQueryResponseSchema, RedisGetResponseSchema]);
