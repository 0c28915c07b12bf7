import type { CdnProvider } from '../../domain/storage/cdn';

/** Requests for one cached URL of one file within one hour (and one region, when reported). */
export interface TrafficBucket {
  fileId: string;
  /** The cached path (cdn_cache.cache_key). */
  cacheKey: string;
  url: string;
  bucketStart: Date;
  region: string | null;
  requests: number;
  hits: number;
  misses: number;
  bytes: number;
  lastAt: Date;
}

export interface CdnStatsQuery {
  since: Date;
  /** null: every user's files (admin). */
  userId: string | null;
  fileId?: string;
  topFiles: number;
  /** Also count per interval of this many ms (whole hours), aligned on the UTC epoch: CdnStats.intervals. */
  intervalMs?: number;
}

/** The traffic of one interval; the first may start before `since` and counts only its hours within the period. */
export interface TrafficInterval {
  start: Date;
  requests: number;
  hits: number;
  misses: number;
  bytes: number;
}

export interface CdnStats {
  requests: number;
  hits: number;
  misses: number;
  bytes: number;
  topFiles: Array<{ fileId: string; requests: number; bytes: number }>;
  /** Requests per region; empty when the provider never reported one. */
  regions: Array<{ region: string; requests: number }>;
  /** Intervals with traffic, oldest first; empty unless the query asked for intervalMs. */
  intervals: TrafficInterval[];
}

/**
 * cdn_cache (one row per file, provider and cached URL, with its hit count and expected expiry) and
 * the hourly cdn_traffic counters behind /cdn/stats. Traffic for files that no longer exist is dropped.
 */
export interface CdnCacheStore {
  recordTraffic(provider: CdnProvider, buckets: TrafficBucket[], ttlSeconds: number): Promise<void>;
  /** The provider no longer holds these URLs: their rows expire now. */
  markPurged(provider: CdnProvider, cacheKeys: string[], at: Date): Promise<void>;
  stats(query: CdnStatsQuery): Promise<CdnStats>;
}
