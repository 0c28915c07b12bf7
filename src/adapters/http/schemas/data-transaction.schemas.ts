import { MAX_OPERATIONS } from '../../../domain/database/transaction-spec';
import { MAX_TTL_SECONDS, REDIS_OPERATIONS } from '../../../domain/database/redis-command';
import { ROW_WRITE_KINDS } from '../../../domain/database/row-write';
import { z } from '../openapi/zod';

/*
 * Types are checked here; meaning (names against the schema, filters, owner rules, what each
 * operation takes) is checked by the domain, whose 400 names the operation (1-based `operation`) and
 * the offending part (`path`, 0-based like every other path) of each issue at once.
 */

const Name = z.string().min(1).max(128);
const Scalar = z.union([z.string(), z.number(), z.boolean()]);

const PostgresOperation = z
  .object({
    database: z.literal('postgresql'),
    operation: z.string().openapi({ enum: [...ROW_WRITE_KINDS], example: 'insert' }),
    table: Name.openapi({ example: 'projects' }),
    data: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description:
          'insert, update, upsert: column → value, bound and cast to the column type (JSON columns take any JSON). ' +
          "A non-admin's insert gets user_id = their id; only an admin may write users.role, subscription_type and the verified flags.",
        example: { title: 'Nouveau projet' },
      }),
    filters: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({
        description: 'update, delete (required, non-empty): the query syntax, a value for equality or {eq|neq|gt|gte|lt|lte|in|like|ilike|is_null: ...}',
        example: { id: '5f0c6a9e-3b8d-4c1e-9a2f-7d6b5c4a3b2c' },
      }),
    on_conflict: z.array(Name).min(1).max(32).optional().openapi({ description: 'upsert: the columns of a unique key of the table', example: ['id'] }),
    returning: z.array(Name).max(200).optional().openapi({ description: 'Columns of the affected rows to return (default: all but secret ones)', example: ['id', 'created_at'] }),
  })
  .strict()
  .openapi('TransactionPostgresOperation');

const RedisOperation = z
  .object({
    database: z.literal('redis'),
    operation: z.string().openapi({ enum: [...REDIS_OPERATIONS], example: 'set' }),
    key: z.string().openapi({ description: 'In your own namespace (an admin: the shared one)', example: 'project:cache:proj_new' }),
    value: Scalar.optional().openapi({ description: 'set; hset with field' }),
    ttl: z.number().optional().openapi({ description: `Seconds, 1 to ${MAX_TTL_SECONDS}: set (optional), expire (required)`, example: 3600 }),
    field: z.string().optional().openapi({ description: 'hset (with value), hdel' }),
    fields: z
      .union([z.record(z.string(), Scalar), z.array(z.string())])
      .optional()
      .openapi({ description: 'hset: {field: value, ...}; hdel: [field, ...]' }),
  })
  .strict()
  .openapi('TransactionRedisOperation');

export const TransactionBodySchema = z
  .object({
    operations: z
      .array(z.discriminatedUnion('database', [PostgresOperation, RedisOperation]))
      .min(1)
      .max(MAX_OPERATIONS)
      .openapi({ description: `1 to ${MAX_OPERATIONS}, validated all before any runs` }),
    connection_id: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .openapi({ description: "Run on this lease; inside its open interactive transaction, the effects wait for that transaction's commit" }),
  })
  .strict()
  .openapi('TransactionRequest', {
    example: {
      operations: [
        { database: 'postgresql', operation: 'insert', table: 'projects', data: { title: 'Nouveau projet' } },
        { database: 'redis', operation: 'set', key: 'project:cache:proj_new', value: '{"status": "created"}', ttl: 3600 },
      ],
    },
  });

const OperationResult = z
  .object({
    operation: z.number().int().openapi({ description: '1-based index in the request' }),
    status: z.enum(['success', 'pending', 'failed']).openapi({
      description:
        'pending: a Redis operation committed but not applied yet (Redis unavailable, or an interactive transaction not committed yet); it will be applied once. ' +
        'failed: Redis refused the operation itself (e.g. incr on a non-integer); the PostgreSQL part stands.',
    }),
    data: z.unknown().optional().openapi({ description: 'insert/upsert: the row; update/delete: the rows; redis: {applied: true}' }),
    error: z.string().optional(),
  })
  .openapi('TransactionOperationResult');

export const TransactionResponseSchema = z
  .object({
    transaction_id: z.string().openapi({ example: 'tx_4f1c2b7d9e0a3c5b6d8e1f2a' }),
    status: z.enum(['committed', 'pending_commit']).openapi({ description: "pending_commit: ran inside the lease's interactive transaction" }),
    results: z.array(OperationResult),
    execution_time_ms: z.number().int(),
  })
  .openapi('TransactionResponse');
