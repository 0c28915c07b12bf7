import { z } from '../openapi/zod';

const PerClass = z.object({ total: z.number(), per_second: z.number().nullable() });
const Ratio = z.number().min(0).max(1).nullable();

export const MetricsSummarySchema = z
  .object({
    timestamp: z.string().openapi({ format: 'date-time' }),
    window_seconds: z.number().nullable().openapi({ description: 'Seconds since the previous summary this process computed; null on the first call (totals only)' }),
    requests: z.object({
      total: z.number(),
      per_second: z.number().nullable(),
      by_status_class: z.object({ '2xx': PerClass, '3xx': PerClass, '4xx': PerClass, '5xx': PerClass }),
      error_ratio: Ratio.openapi({ description: '4xx and 5xx answers among the window\'s requests' }),
      latency_ms: z.object({ p50: z.number().nullable(), p99: z.number().nullable() }).openapi({ description: 'Estimated from the duration histogram over the window' }),
    }),
    cache: z.object({ hits: z.number(), misses: z.number(), hit_ratio: Ratio.openapi({ description: 'Over the window' }) }),
    pool: z.object({ active: z.number(), idle: z.number(), waiting: z.number(), max: z.number(), usage_ratio: Ratio }),
    leases: z.object({ open: z.number() }),
    jobs: z.object({ queued: z.number(), running: z.number() }).openapi({ description: 'Transformation jobs, across every instance' }),
  })
  .openapi('MetricsSummary');

export const DevTokenBodySchema = z
  .object({ role: z.enum(['user', 'admin']).default('user') })
  .strict()
  .openapi('DevTokenRequest');

export const DevTokenResponseSchema = z
  .object({
    token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    user_id: z.string().uuid(),
    role: z.enum(['user', 'admin']),
  })
  .openapi('DevTokenResponse');
