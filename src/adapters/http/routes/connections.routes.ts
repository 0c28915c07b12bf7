import type { AcquireLease } from '../../../application/database/leases/acquire-lease';
import type { BeginLeaseTransaction, LeaseTransactionState } from '../../../application/database/leases/begin-lease-transaction';
import type { CommitLeaseTransaction } from '../../../application/database/leases/commit-lease-transaction';
import type { ReleaseLease } from '../../../application/database/leases/release-lease';
import type { RollbackLeaseTransaction } from '../../../application/database/leases/rollback-lease-transaction';
import { ErrorBodySchema } from '../openapi/error-schema';
import { field } from '../route-audit';
import type { RouteBuilder } from '../route-builder';
import {
  AcquireLeaseBodySchema,
  AcquireLeaseResponseSchema,
  LeaseParamsSchema,
  LeaseTransactionResponseSchema,
  ReleaseLeaseBodySchema,
  ReleaseLeaseResponseSchema,
} from '../schemas/connections.schemas';

export interface ConnectionRouteDeps {
  acquire: AcquireLease;
  release: ReleaseLease;
  begin: BeginLeaseTransaction;
  commit: CommitLeaseTransaction;
  rollback: RollbackLeaseTransaction;
}

const NO_STORE = { 'Cache-Control': 'no-store' };
const error = (description: string) => ({ description, schema: ErrorBodySchema });
const NOT_YOURS = error('LEASE_NOT_FOUND: unknown, expired, released, or acquired by someone else');
const LOST = error('LEASE_LOST: the instance that held the lease is gone; the lease and any open transaction on it were lost (rolled back)');
/** Where a request names its lease: its requests are forwarded to the instance that holds it. */
const leaseInBody = ({ body }: { body: unknown }) => (body as { connection_id?: unknown } | undefined)?.connection_id;
const leaseInPath = ({ params }: { params: Record<string, string> }) => params.connection_id;

/** Connection leases (000 "Connection Management") and interactive transactions on them. */
export function connectionsRoutes(routes: RouteBuilder, deps: ConnectionRouteDeps): void {
  routes.define({
    method: 'post',
    path: '/api/v1/connections/acquire',
    tag: 'Connections',
    auth: 'user',
    // A lease only holds a connection; what is written through it goes by /data/transaction or commit.
    writes: false,
    summary: 'Reserve a dedicated PostgreSQL connection until release, expiry or idle timeout',
    description:
      'Queries and transactions that carry the connection_id run on it, one at a time. The lease lives in the instance that granted it; ' +
      'its later requests may go to any instance, which forwards them there.',
    body: AcquireLeaseBodySchema,
    responses: {
      201: { description: 'Lease granted', schema: AcquireLeaseResponseSchema },
      429: error('LEASE_LIMIT_EXCEEDED: the caller holds LEASE_MAX_PER_CALLER leases; or RATE_LIMIT_EXCEEDED'),
      503: error('DATABASE_CONNECTION_FAILED (pool exhausted; details.pool_status, retry_after and Retry-After) or DATABASE_UNAVAILABLE'),
      504: error('DATABASE_TIMEOUT: the server did not answer the connect in time'),
    },
    audit: { action: 'lease.acquire', targetType: 'lease', targetId: (_i, b) => field(b, 'connection_id'), actor: ({ body }) => ({ serviceName: body.service_name }), details: ({ body }) => ({ database_type: body.database_type, operation_type: body.operation_type }) },
    handler: async ({ body }, { caller }) => {
      const { lease, databaseUrl, poolStats } = await deps.acquire.execute({
        caller,
        serviceName: body.service_name,
        databaseType: body.database_type,
        operationType: body.operation_type,
        ttlSeconds: body.ttl_seconds,
      });
      return {
        status: 201,
        headers: NO_STORE,
        body: {
          connection_id: lease.id,
          database_url: databaseUrl,
          expires_at: lease.expiresAt.toISOString(),
          pool_stats: { active: poolStats.active, idle: poolStats.idle, waiting: poolStats.waiting },
        },
      };
    },
  });

  routes.define({
    method: 'post',
    path: '/api/v1/connections/release',
    tag: 'Connections',
    auth: 'user',
    writes: false,
    summary: 'Give the connection back (an open transaction is rolled back)',
    body: ReleaseLeaseBodySchema,
    lease: leaseInBody,
    responses: { 200: { description: 'Released', schema: ReleaseLeaseResponseSchema }, 404: NOT_YOURS, 410: LOST },
    audit: { action: 'lease.release', targetType: 'lease', targetId: ({ body }) => body.connection_id, actor: ({ body }) => ({ serviceName: body.service_name ?? null }), details: (_i, b) => ({ duration_ms: b?.['duration_ms'] ?? null }) },
    handler: async ({ body }, { caller }) => {
      const released = await deps.release.execute({ caller, connectionId: body.connection_id, serviceName: body.service_name });
      return { status: 200, headers: NO_STORE, body: { status: 'released', connection_id: released.connectionId, duration_ms: released.durationMs } };
    },
  });

  const transactionRoute = (verb: 'begin' | 'commit' | 'rollback', summary: string, conflict: string, run: (input: Parameters<BeginLeaseTransaction['execute']>[0]) => Promise<LeaseTransactionState>) =>
    routes.define({
      method: 'post',
      path: `/api/v1/connections/:connection_id/${verb}`,
      tag: 'Connections',
      auth: 'user',
      // Only a commit makes writes stick: begin and rollback go on during a restore.
      writes: verb === 'commit',
      summary,
      params: LeaseParamsSchema,
      lease: leaseInPath,
      responses: {
        200: { description: 'Transaction state', schema: LeaseTransactionResponseSchema },
        404: NOT_YOURS,
        409: error(conflict),
        410: LOST,
      },
      audit: { action: `lease.transaction_${verb}`, targetType: 'lease', targetId: ({ params }) => params.connection_id },
      handler: async ({ params }, { caller }) => {
        const state = await run({ caller, connectionId: params.connection_id });
        return { status: 200, headers: NO_STORE, body: { connection_id: state.connectionId, transaction_status: state.transactionStatus } };
      },
    });

  transactionRoute('begin', 'Open a transaction that later requests with this connection_id run in', 'TRANSACTION_ALREADY_ACTIVE', (i) => deps.begin.execute(i));
  transactionRoute(
    'commit',
    'Commit the open transaction, then invalidate caches and apply its Redis operations before answering',
    'NO_ACTIVE_TRANSACTION, or TRANSACTION_ABORTED when a statement had failed in it (all rolled back)',
    (i) => deps.commit.execute(i),
  );
  transactionRoute('rollback', 'Roll back the open transaction; its deferred effects are dropped', 'NO_ACTIVE_TRANSACTION', (i) => deps.rollback.execute(i));
}
