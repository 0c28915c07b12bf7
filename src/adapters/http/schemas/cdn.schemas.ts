import { intervalMs, periodMs } from '../../../application/storage/cdn/get-cdn-stats';
import { z } from '../openapi/zod';

const Uuid = z.string().uuid();
const DateTime = z.string().openapi({ format: 'date-time' });
const Status = z.enum(['queued', 'processing', 'completed', 'failed']);

export const PurgeBodySchema = z
  .object({
    file_ids: z.array(Uuid).min(1).max(100).openapi({ description: 'Files whose CDN URLs are purged (the caller\'s; an admin: anyone\'s; trashed files too)' }),
    purge_type: z.enum(['all', 'thumbnails', 'previews']).default('all').openapi({
      description: 'all: the file, its thumbnail and every derived output; thumbnails: the thumbnail URLs; previews: resized, converted and compressed outputs',
    }),
  })
  .strict()
  .openapi('CdnPurgeRequest');

export const PurgeIdParamsSchema = z.object({ purge_id: Uuid.openapi({ description: 'The purge request id' }) });

export const PurgeResponseSchema = z
  .object({
    purge_request: z.object({
      id: Uuid,
      status: Status,
      purge_type: z.enum(['all', 'thumbnails', 'previews']),
      reason: z.enum(['request', 'file_updated', 'file_deleted']),
      files_count: z.number().int(),
      urls: z.array(z.string()).openapi({ description: 'The URLs purged (bare: signed variants are purged with them)' }),
      attempts: z.number().int(),
      created_at: DateTime,
      estimated_completion: DateTime,
      completed_at: DateTime.nullable(),
    }),
    cdn_providers: z.array(
      z.object({
        provider: z.enum(['varnish', 'cloudflare', 'azure_cdn', 'none']),
        status: Status,
        urls_purged: z.number().int(),
        error: z.string().nullable().openapi({ description: 'The provider\'s last refusal (CDN_SYNC_FAILED), retried with backoff' }),
      }),
    ),
  })
  .openapi('CdnPurgeResponse');

export const StatsQuerySchema = z.object({
  period: z
    .string()
    .default('7d')
    .refine((p) => periodMs(p) !== null, 'expected hours or days, e.g. 24h or 7d, at most 90d')
    .openapi({ description: 'How far back: <n>h or <n>d, at most 90d', example: '7d' }),
  interval: z
    .string()
    .refine((i) => intervalMs(i) !== null, 'expected hours or days, e.g. 1h, 6h or 1d')
    .optional()
    .openapi({ description: 'Length of each of stats.intervals: <n>h or <n>d, at most 1000 intervals per period. Default: 1h up to a 2d period, 6h up to 14d, 1d beyond', example: '6h' }),
  file_id: Uuid.optional().openapi({ description: 'Only this file (the caller\'s; an admin: anyone\'s)' }),
});

export const StatsResponseSchema = z
  .object({
    period: z.string(),
    interval: z.string().openapi({ description: 'Length of each of stats.intervals (the one asked, or the default for the period)', example: '6h' }),
    counted_by: z.enum(['cdn_log', 'origin']).openapi({ description: 'cdn_log: the CDN\'s own log (hits and misses); origin: what the origin served (misses only)' }),
    stats: z.object({
      total_requests: z.number().int(),
      cache_hits: z.number().int(),
      cache_misses: z.number().int(),
      hit_ratio: z.number().openapi({ description: 'Percent of requests served from the cache (0 without requests)' }),
      bandwidth_gb: z.number().openapi({ description: 'Bytes sent, in GB (10^9)' }),
      bandwidth_bytes: z.number().int(),
      top_files: z.array(z.object({ file_id: Uuid, requests: z.number().int(), bandwidth_gb: z.number(), bandwidth_bytes: z.number().int() })),
      intervals: z
        .array(
          z.object({
            start: DateTime,
            requests: z.number().int(),
            cache_hits: z.number().int(),
            cache_misses: z.number().int(),
            hit_ratio: z.number().openapi({ description: 'Percent of the interval\'s requests served from the cache' }),
            bandwidth_bytes: z.number().int(),
          }),
        )
        .openapi({ description: 'The period as a time series, oldest first, every interval present (zeros where quiet). Intervals are aligned on the UTC epoch, so the first may start before the period and counts only its hours within it' }),
      geographic_distribution: z.record(z.string(), z.number()).optional().openapi({ description: 'Percent of requests per region; only when the provider reports regions' }),
    }),
  })
  .openapi('CdnStats');

export const CdnFileParamsSchema = z.object({
  file_id: Uuid,
  version: z.string().regex(/^[0-9a-f]{16}$/).openapi({ description: 'The first 16 hex digits of the content\'s SHA-256' }),
});
export const CdnThumbnailParamsSchema = z.object({ file_id: Uuid.openapi({ description: 'The source file' }) });
export const CdnSignatureQuerySchema = z.object({
  expires: z.coerce.number().int().positive().optional(),
  signature: z.string().max(200).optional(),
});
