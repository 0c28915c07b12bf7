import type { CdnStatsResult } from '../../../application/storage/cdn/get-cdn-stats';
import { percentOf } from '../../../domain/storage/cdn';
import type { PurgeRequest } from '../../../domain/storage/cdn-purge';

const GB = 1e9;
const gb = (bytes: number) => bytes / GB;
/** How long a purge is expected to take per provider (their APIs answer within seconds; Azure's can take longer). */
const EXPECTED_MS_PER_PROVIDER = 10_000;

export function presentPurge(r: PurgeRequest) {
  const estimated = r.completedAt ?? new Date(r.createdAt.getTime() + EXPECTED_MS_PER_PROVIDER * Math.max(1, r.providers.length));
  return {
    purge_request: {
      id: r.id,
      status: r.status,
      purge_type: r.purgeType,
      reason: r.reason,
      files_count: r.fileIds.length,
      urls: r.targets.map((t) => t.url),
      attempts: r.attempts,
      created_at: r.createdAt.toISOString(),
      estimated_completion: estimated.toISOString(),
      completed_at: r.completedAt?.toISOString() ?? null,
    },
    cdn_providers: r.providers.map((p) => ({ provider: p.provider, status: p.status, urls_purged: p.urlsPurged, error: p.error })),
  };
}

export function presentStats({ period, interval, stats, countedBy }: CdnStatsResult) {
  const regionTotal = stats.regions.reduce((sum, r) => sum + r.requests, 0);
  return {
    period,
    interval,
    counted_by: countedBy,
    stats: {
      total_requests: stats.requests,
      cache_hits: stats.hits,
      cache_misses: stats.misses,
      hit_ratio: percentOf(stats.hits, stats.requests),
      bandwidth_gb: gb(stats.bytes),
      bandwidth_bytes: stats.bytes,
      top_files: stats.topFiles.map((f) => ({ file_id: f.fileId, requests: f.requests, bandwidth_gb: gb(f.bytes), bandwidth_bytes: f.bytes })),
      intervals: stats.intervals.map((i) => ({
        start: i.start.toISOString(),
        requests: i.requests,
        cache_hits: i.hits,
        cache_misses: i.misses,
        hit_ratio: percentOf(i.hits, i.requests),
        bandwidth_bytes: i.bytes,
      })),
      // Only what a provider reported: no regions, no key (never an invented distribution).
      ...(stats.regions.length > 0
        ? { geographic_distribution: Object.fromEntries(stats.regions.map((r) => [r.region, percentOf(r.requests, regionTotal)])) }
        : {}),
    },
  };
}
