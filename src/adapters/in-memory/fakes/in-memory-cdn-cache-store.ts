import type { CdnCacheStore, CdnStats, CdnStatsQuery, TrafficBucket, TrafficInterval } from '../../../application/ports/cdn-cache-store.port';
import type { FileRepository } from '../../../application/ports/file-repository.port';
import type { CdnProvider } from '../../../domain/storage/cdn';

/** One cdn_cache row: what the CDN is believed to hold of one file under one URL. */
export interface CdnCacheRow {
  fileId: string;
  provider: CdnProvider;
  url: string;
  cacheKey: string;
  hitCount: number;
  lastHitAt: Date | null;
  expiresAt: Date | null;
}

interface TrafficRow {
  fileId: string;
  provider: CdnProvider;
  bucketStart: Date;
  /** '' when not reported, as in cdn_traffic. */
  region: string;
  requests: number;
  hits: number;
  misses: number;
  bytes: number;
}

const HOUR_MS = 3_600_000;

/**
 * cdn_cache and cdn_traffic in memory. Which files exist, and whose they are, is asked of the file
 * repository (the `files` join of PgCdnCacheStore): traffic of an unknown file is dropped when
 * recorded, and a file removed later takes its traffic with it (ON DELETE CASCADE), at read time here.
 */
export class InMemoryCdnCacheStore implements CdnCacheStore {
  private readonly traffic = new Map<string, TrafficRow>();
  private readonly cache = new Map<string, CdnCacheRow>();

  constructor(private readonly files: Pick<FileRepository, 'findById'>) {}

  async recordTraffic(provider: CdnProvider, buckets: TrafficBucket[], ttlSeconds: number): Promise<void> {
    const known = new Map<string, boolean>();
    for (const b of buckets) if (!known.has(b.fileId)) known.set(b.fileId, (await this.files.findById(b.fileId)) !== null);
    // Grouped per row first, as the SQL does: one flush's buckets of a URL make one hit-count update.
    const perRow = new Map<string, TrafficBucket[]>();
    for (const b of buckets.filter((x) => known.get(x.fileId))) {
      this.addTraffic(provider, b);
      const key = cacheRowKey(b.fileId, provider, b.cacheKey);
      perRow.set(key, [...(perRow.get(key) ?? []), b]);
    }
    for (const [key, group] of perRow) this.addToCacheRow(key, provider, group, ttlSeconds);
  }

  async markPurged(provider: CdnProvider, cacheKeys: string[], at: Date): Promise<void> {
    const keys = new Set(cacheKeys);
    for (const row of this.cache.values()) if (row.provider === provider && keys.has(row.cacheKey)) row.expiresAt = new Date(at);
  }

  async stats(q: CdnStatsQuery): Promise<CdnStats> {
    // date_trunc('hour', since, 'UTC'): a bucket that started before `since` but contains it still counts.
    const from = Math.floor(q.since.getTime() / HOUR_MS) * HOUR_MS;
    const rows: TrafficRow[] = [];
    for (const row of this.traffic.values()) {
      if (row.bucketStart.getTime() < from || (q.fileId !== undefined && row.fileId !== q.fileId)) continue;
      const file = await this.files.findById(row.fileId);
      if (file && (q.userId === null || file.userId === q.userId)) rows.push(row);
    }
    const stats: CdnStats = { requests: 0, hits: 0, misses: 0, bytes: 0, topFiles: [], regions: [], intervals: [] };
    const perFile = new Map<string, { fileId: string; requests: number; bytes: number }>();
    const perRegion = new Map<string, number>();
    const perInterval = new Map<number, TrafficInterval>();
    for (const r of rows) {
      if (q.intervalMs) {
        const start = Math.floor(r.bucketStart.getTime() / q.intervalMs) * q.intervalMs;
        const i = perInterval.get(start) ?? { start: new Date(start), requests: 0, hits: 0, misses: 0, bytes: 0 };
        i.requests += r.requests;
        i.hits += r.hits;
        i.misses += r.misses;
        i.bytes += r.bytes;
        perInterval.set(start, i);
      }
      stats.requests += r.requests;
      stats.hits += r.hits;
      stats.misses += r.misses;
      stats.bytes += r.bytes;
      const f = perFile.get(r.fileId) ?? { fileId: r.fileId, requests: 0, bytes: 0 };
      f.requests += r.requests;
      f.bytes += r.bytes;
      perFile.set(r.fileId, f);
      if (r.region !== '') perRegion.set(r.region, (perRegion.get(r.region) ?? 0) + r.requests);
    }
    stats.topFiles = [...perFile.values()].sort((a, b) => b.requests - a.requests || (a.fileId < b.fileId ? -1 : 1)).slice(0, q.topFiles);
    // PostgreSQL leaves ties in any order; by name here, so a test over the fake is deterministic.
    stats.regions = [...perRegion].map(([region, requests]) => ({ region, requests })).sort((a, b) => b.requests - a.requests || (a.region < b.region ? -1 : 1));
    stats.intervals = [...perInterval.values()].sort((a, b) => a.start.getTime() - b.start.getTime());
    return stats;
  }

  /** The cdn_cache rows (of one file, or all), as copies. Not part of the port: for tests. */
  cacheRows(fileId?: string): CdnCacheRow[] {
    return [...this.cache.values()].filter((r) => fileId === undefined || r.fileId === fileId).map((r) => structuredClone(r));
  }

  private addTraffic(provider: CdnProvider, b: TrafficBucket): void {
    const region = b.region ?? '';
    const key = `${b.fileId}|${provider}|${b.bucketStart.getTime()}|${region}`;
    const row = this.traffic.get(key) ?? { fileId: b.fileId, provider, bucketStart: new Date(b.bucketStart), region, requests: 0, hits: 0, misses: 0, bytes: 0 };
    row.requests += b.requests;
    row.hits += b.hits;
    row.misses += b.misses;
    row.bytes += b.bytes;
    this.traffic.set(key, row);
  }

  private addToCacheRow(key: string, provider: CdnProvider, group: TrafficBucket[], ttlSeconds: number): void {
    const first = group[0]!;
    const latest = (bs: TrafficBucket[]) => (bs.length ? new Date(Math.max(...bs.map((b) => b.lastAt.getTime()))) : null);
    const lastHitAt = latest(group.filter((b) => b.hits > 0));
    // A miss means the CDN fetched the URL again: it holds it until that miss + TTL.
    const lastMissAt = latest(group.filter((b) => b.misses > 0));
    const expiresAt = lastMissAt ? new Date(lastMissAt.getTime() + ttlSeconds * 1000) : null;
    const hits = group.reduce((n, b) => n + b.hits, 0);
    const row = this.cache.get(key);
    if (!row) {
      const url = group.map((b) => b.url).sort().at(-1)!;
      this.cache.set(key, { fileId: first.fileId, provider, url, cacheKey: first.cacheKey, hitCount: hits, lastHitAt, expiresAt });
      return;
    }
    row.hitCount += hits;
    // Batches from several instances may land out of order: the last hit never moves back.
    if (lastHitAt && (!row.lastHitAt || lastHitAt > row.lastHitAt)) row.lastHitAt = lastHitAt;
    row.expiresAt = expiresAt ?? row.expiresAt;
  }
}

function cacheRowKey(fileId: string, provider: CdnProvider, cacheKey: string): string {
  return `${fileId}|${provider}|${cacheKey}`;
}
