import type { CdnHit, CdnProvider } from '../../../domain/storage/cdn';
import { fileIdOfCdnPath } from '../../../domain/storage/cdn-purge';
import type { CdnCacheStore, TrafficBucket } from '../../ports/cdn-cache-store.port';

const HOUR_MS = 3_600_000;

/**
 * Adds up CDN requests (from the CDN's log, or the origin's own) into hourly buckets per file and URL,
 * and writes them in one go: one statement per flush instead of one per request on the serving path.
 */
export class CdnTrafficCounter {
  private pending = new Map<string, TrafficBucket>();

  constructor(
    private readonly store: CdnCacheStore,
    private readonly provider: CdnProvider,
    private readonly baseUrl: string,
    private readonly ttlSeconds: number,
  ) {}

  count(hits: CdnHit[]): void {
    for (const hit of hits) {
      const path = hit.path.split('?')[0]!;
      const fileId = fileIdOfCdnPath(path);
      if (!fileId) continue;
      const bucketStart = new Date(Math.floor(hit.at.getTime() / HOUR_MS) * HOUR_MS);
      const region = hit.region ?? null;
      const key = `${path}|${bucketStart.getTime()}|${region ?? ''}`;
      const bucket = this.pending.get(key) ?? { fileId, cacheKey: path, url: `${this.baseUrl}${path}`, bucketStart, region, requests: 0, hits: 0, misses: 0, bytes: 0, lastAt: hit.at };
      bucket.requests++;
      if (hit.hit) bucket.hits++;
      else bucket.misses++;
      bucket.bytes += hit.bytes;
      if (hit.at > bucket.lastAt) bucket.lastAt = hit.at;
      this.pending.set(key, bucket);
    }
  }

  /** Writes what was counted so far. A failed write keeps nothing: counters are best effort, never a reason to fail a request. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const buckets = [...this.pending.values()];
    this.pending = new Map();
    await this.store.recordTraffic(this.provider, buckets, this.ttlSeconds);
  }
}
