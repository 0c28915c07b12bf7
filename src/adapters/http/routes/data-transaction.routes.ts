import type { RunTransaction, TransactionResult } from '../../../application/database/writes/run-transaction';
import type { RawOperation } from '../../../domain/database/transaction-spec';
import { ErrorBodySchema } from '../openapi/error-schema';
import type { RouteBuilder } from '../route-builder';
import { TransactionBodySchema, TransactionResponseSchema } from '../schemas/data-transaction.schemas';

export interface DataTransactionRouteDeps {
  runTransaction: RunTransaction;
}

/** 000/001 "Data Operations": POST /api/v1/data/transaction. */
export function dataTransactionRoutes(routes: RouteBuilder, deps: DataTransactionRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/data/transaction',
    tag: 'Data',
    auth: 'user',
    summary: 'Run PostgreSQL writes and Redis operations as one transaction',
    description:
      'Every operation is validated first (400 naming the operation; nothing runs). The PostgreSQL operations run in one transaction, ' +
      "scoped to the caller's rows like queries, and return their rows. The Redis operations are recorded in the same transaction " +
      '(transactional outbox) and applied after the commit, exactly once, in order; if Redis is down they are answered "pending" and ' +
      'applied by the relay once it is back. Any failure rolls everything back: the error details say transaction_id, ' +
      'status "rolled_back", failed_operation and reason.',
    body: TransactionBodySchema,
    // With a connection_id held by another instance, the request is forwarded there.
    lease: ({ body }) => (body as { connection_id?: unknown } | undefined)?.connection_id,
    responses: {
      200: { description: 'Committed', schema: TransactionResponseSchema },
      400: { description: 'VALIDATION_ERROR (nothing ran) or INVALID_DATA (a value the column refused; rolled back)', schema: ErrorBodySchema },
      404: { description: 'PARENT_NOT_FOUND: a row names a parent that is not yours (rolled back); LEASE_NOT_FOUND', schema: ErrorBodySchema },
      409: { description: 'CONFLICT: a unique key already taken or a row still referenced (rolled back); TRANSACTION_ABORTED', schema: ErrorBodySchema },
      410: { description: 'LEASE_LOST: the instance that held the connection_id is gone (its transaction rolled back)', schema: ErrorBodySchema },
      503: { description: 'DATABASE_CONNECTION_FAILED (pool exhausted), DATABASE_UNAVAILABLE', schema: ErrorBodySchema },
    },
    handler: async ({ body }, ctx) => {
      const operations = body.operations.map((op): RawOperation => {
        if (op.database === 'redis') return op;
        const { on_conflict: onConflict, ...rest } = op;
        return { ...rest, database: 'postgresql', ...(onConflict !== undefined ? { onConflict } : {}) };
      });
      const result = await deps.runTransaction.execute({
        caller: ctx.caller,
        operations,
        ...(body.connection_id !== undefined ? { connectionId: body.connection_id } : {}),
      });
      return { status: 200, body: present(result), headers: { 'Cache-Control': 'no-store' } };
    },
  });
}

function present(result: TransactionResult) {
  return {
    transaction_id: result.transactionId,
    status: result.status,
    results: result.results,
    execution_time_ms: result.executionTimeMs,
  };
}
