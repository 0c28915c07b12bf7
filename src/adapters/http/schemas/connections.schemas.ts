import { z } from '../openapi/zod';

const ConnectionId = z.string().min(1).max(128).openapi({ example: 'conn_7f3a9c1e_4b1d2e3f4a5b6c7d8e9f0a1b' });
const ServiceName = z.string().min(1).max(100).openapi({ example: 'core-user-service' });

export const AcquireLeaseBodySchema = z
  .object({
    service_name: ServiceName,
    database_type: z.enum(['postgresql']),
    operation_type: z.enum(['read', 'write']).openapi({ description: 'read: the DATABASE_READ_URL replica when configured' }),
    ttl_seconds: z
      .number()
      .int()
      .min(1)
      .optional()
      .openapi({ description: 'Lease lifetime; LEASE_DEFAULT_TTL_SECONDS when absent, capped at LEASE_MAX_TTL_SECONDS' }),
  })
  .strict()
  .openapi('AcquireConnectionRequest');

const PoolStatsSchema = z.object({ active: z.number().int(), idle: z.number().int(), waiting: z.number().int() }).openapi('PoolStats');

export const AcquireLeaseResponseSchema = z
  .object({
    connection_id: ConnectionId,
    database_url: z.string().openapi({ example: 'postgresql://app@db.internal:5432/visiobook', description: 'Never holds a password' }),
    expires_at: z.string().openapi({ format: 'date-time' }),
    pool_stats: PoolStatsSchema,
  })
  .openapi('AcquiredConnection');

export const ReleaseLeaseBodySchema = z.object({ connection_id: ConnectionId, service_name: ServiceName }).strict().openapi('ReleaseConnectionRequest');

export const ReleaseLeaseResponseSchema = z
  .object({ status: z.literal('released'), connection_id: ConnectionId, duration_ms: z.number().int() })
  .openapi('ReleasedConnection');

export const LeaseParamsSchema = z.object({ connection_id: ConnectionId });

export const LeaseTransactionResponseSchema = z
  .object({ connection_id: ConnectionId, transaction_status: z.enum(['active', 'committed', 'rolled_back']) })
  .openapi('LeaseTransaction');
