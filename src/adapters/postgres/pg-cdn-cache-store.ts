import type { PoolClient } from 'pg';
import type { CdnCacheStore, CdnStats, CdnStatsQuery, TrafficBucket, TrafficInterval } from '../../application/ports/cdn-cache-store.port';
import type { CdnProvider } from '../../domain/storage/cdn';
import type { PgSqlDatabase } from './pg-sql-database';

/*
 * One statement per flush: the buckets arrive as parallel arrays (unnest), rows of files that no
 * longer exist are dropped by the join, cdn_traffic adds to its hourly counters and cdn_cache to its
 * hit counts. A miss means the CDN fetched the URL again, so it is cached until that miss + TTL.
 * cdn_cache's TIMESTAMP columns are written in UTC, as everywhere in this schema.
 */
const RECORD = `
WITH b AS (
  SELECT t.* FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::timestamptz[])
         AS t(file_id, cache_key, url, bucket_start, region, requests, hits, misses, bytes, last_at)
  JOIN files f ON f.id = t.file_id
), traffic AS (
  INSERT INTO cdn_traffic (file_id, cdn_provider, bucket_start, region, requests, hits, misses, bytes)
  SELECT file_id, $1, bucket_start, region, sum(requests), sum(hits), sum(misses), sum(bytes) FROM b GROUP BY file_id, bucket_start, region
  ON CONFLICT (file_id, cdn_provider, bucket_start, region) DO UPDATE SET
    requests = cdn_traffic.requests + EXCLUDED.requests, hits = cdn_traffic.hits + EXCLUDED.hits,
    misses = cdn_traffic.misses + EXCLUDED.misses, bytes = cdn_traffic.bytes + EXCLUDED.bytes
)
INSERT INTO cdn_cache (file_id, cdn_provider, cdn_url, cache_key, hit_count, last_hit_at, expires_at)
SELECT file_id, $1, max(url), cache_key, sum(hits),
       (max(last_at) FILTER (WHERE hits > 0)) AT TIME ZONE 'UTC',
       (max(last_at) FILTER (WHERE misses > 0) + make_interval(secs => $12)) AT TIME ZONE 'UTC'
  FROM b GROUP BY file_id, cache_key
ON CONFLICT (file_id, cdn_provider, cache_key) DO UPDATE SET
  hit_count = cdn_cache.hit_count + EXCLUDED.hit_count,
  last_hit_at = GREATEST(EXCLUDED.last_hit_at, cdn_cache.last_hit_at),
  expires_at = COALESCE(EXCLUDED.expires_at, cdn_cache.expires_at)`;

const SCOPE = `t.bucket_start >= date_trunc('hour', $1::timestamptz, 'UTC') AND ($2::uuid IS NULL OR f.user_id = $2) AND ($3::uuid IS NULL OR t.file_id = $3)`;

export class PgCdnCacheStore implements CdnCacheStore {
  constructor(private readonly db: PgSqlDatabase) {}

  async recordTraffic(provider: CdnProvider, buckets: TrafficBucket[], ttlSeconds: number): Promise<void> {
    if (buckets.length === 0) return;
    const col = <K extends keyof TrafficBucket>(k: K) => buckets.map((b) => b[k]);
    await this.db.withClient((client) =>
      client.query(RECORD, [
        provider, col('fileId'), col('cacheKey'), col('url'), col('bucketStart'), buckets.map((b) => b.region ?? ''),
        col('requests'), col('hits'), col('misses'), col('bytes'), col('lastAt'), ttlSeconds,
      ]),
    );
  }

  async markPurged(provider: CdnProvider, cacheKeys: string[], at: Date): Promise<void> {
    if (cacheKeys.length === 0) return;
    await this.db.withClient((client) =>
      client.query(`UPDATE cdn_cache SET expires_at = $3::timestamptz AT TIME ZONE 'UTC' WHERE cdn_provider = $1 AND cache_key = ANY($2::text[])`, [provider, cacheKeys, at]),
    );
  }

  async stats(q: CdnStatsQuery): Promise<CdnStats> {
    const params = [q.since, q.userId, q.fileId ?? null];
    return this.db.withClient(async (client) => {
      const from = `FROM cdn_traffic t JOIN files f ON f.id = t.file_id WHERE ${SCOPE}`;
      const totals = await client.query<Record<'requests' | 'hits' | 'misses' | 'bytes', string>>(
        `SELECT COALESCE(sum(requests), 0)::text AS requests, COALESCE(sum(hits), 0)::text AS hits,
                COALESCE(sum(misses), 0)::text AS misses, COALESCE(sum(bytes), 0)::text AS bytes ${from}`,
        params,
      );
      const top = await client.query<{ file_id: string; requests: string; bytes: string }>(
        `SELECT t.file_id::text AS file_id, sum(requests)::text AS requests, sum(bytes)::text AS bytes ${from}
          GROUP BY t.file_id ORDER BY sum(requests) DESC, t.file_id LIMIT $4`,
        [...params, q.topFiles],
      );
      const regions = await client.query<{ region: string; requests: string }>(
        `SELECT region, sum(requests)::text AS requests ${from} AND region <> '' GROUP BY region ORDER BY sum(requests) DESC`,
        params,
      );
      const intervals = q.intervalMs ? await this.intervals(client, from, params, q.intervalMs) : [];
      const t = totals.rows[0]!;
      return {
        requests: Number(t.requests), hits: Number(t.hits), misses: Number(t.misses), bytes: Number(t.bytes),
        topFiles: top.rows.map((r) => ({ fileId: r.file_id, requests: Number(r.requests), bytes: Number(r.bytes) })),
        regions: regions.rows.map((r) => ({ region: r.region, requests: Number(r.requests) })),
        intervals,
      };
    });
  }

  private async intervals(client: PoolClient, from: string, params: unknown[], intervalMs: number): Promise<TrafficInterval[]> {
    // Hourly rows grouped into intervals of $4 seconds counted from the UTC epoch.
    const rows = await client.query<Record<'start_ms' | 'requests' | 'hits' | 'misses' | 'bytes', string>>(
      `SELECT (floor(extract(epoch FROM t.bucket_start) / $4) * $4 * 1000)::bigint::text AS start_ms, sum(requests)::text AS requests,
              sum(hits)::text AS hits, sum(misses)::text AS misses, sum(bytes)::text AS bytes ${from}
        GROUP BY 1 ORDER BY 1`,
      [...params, intervalMs / 1000],
    );
    return rows.rows.map((r) => ({ start: new Date(Number(r.start_ms)), requests: Number(r.requests), hits: Number(r.hits), misses: Number(r.misses), bytes: Number(r.bytes) }));
  }
}
