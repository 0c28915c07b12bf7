import { randomUUID } from 'node:crypto';
import type { CdnCacheStore, CdnStats, TrafficBucket } from '../../src/application/ports/cdn-cache-store.port';
import { CdnTrafficCounter } from '../../src/application/storage/cdn/cdn-traffic-counter';
import type { CdnHit, CdnProvider } from '../../src/domain/storage/cdn';

/** Notes each write: the counter's job is what it sends, and how often. */
class RecordingStore implements CdnCacheStore {
  readonly writes: Array<{ provider: CdnProvider; buckets: TrafficBucket[]; ttlSeconds: number }> = [];
  failNext = false;
  async recordTraffic(provider: CdnProvider, buckets: TrafficBucket[], ttlSeconds: number): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('database down');
    }
    this.writes.push({ provider, buckets: structuredClone(buckets), ttlSeconds });
  }
  async markPurged(): Promise<void> {}
  async stats(): Promise<CdnStats> {
    return { requests: 0, hits: 0, misses: 0, bytes: 0, topFiles: [], regions: [], intervals: [] };
  }
}

const BASE = 'https://cdn.example.test';
const at = (iso: string) => new Date(`2024-01-15T${iso}Z`);

describe('CdnTrafficCounter', () => {
  const fileId = randomUUID();
  const path = `/cdn/files/${fileId}/0123456789abcdef`;
  const hit = (h: Partial<CdnHit>): CdnHit => ({ path, hit: true, bytes: 10, at: at('10:15:00'), ...h });
  let store: RecordingStore;
  let counter: CdnTrafficCounter;
  beforeEach(() => {
    store = new RecordingStore();
    counter = new CdnTrafficCounter(store, 'varnish', BASE, 600);
  });

  it('adds requests up per URL, hour and region, signed variants with their bare path', async () => {
    counter.count([
      hit({ at: at('10:05:00') }),
      hit({ path: `${path}?expires=1&signature=x`, hit: false, bytes: 100, at: at('10:59:59') }),
      hit({ at: at('11:00:00') }),
      hit({ region: 'EU', at: at('10:20:00') }),
    ]);
    counter.count([hit({ path: `/cdn/thumbnails/${fileId}`, bytes: 1, at: at('10:30:00') })]);
    await counter.flush();
    expect(store.writes).toHaveLength(1);
    expect(store.writes[0]!.provider).toBe('varnish');
    expect(store.writes[0]!.ttlSeconds).toBe(600);
    const bucket = (b: Partial<TrafficBucket>): TrafficBucket => ({
      fileId, cacheKey: path, url: `${BASE}${path}`, bucketStart: at('10:00:00'), region: null, requests: 1, hits: 1, misses: 0, bytes: 10, lastAt: at('10:15:00'), ...b,
    });
    expect(store.writes[0]!.buckets).toEqual(expect.arrayContaining([
      bucket({ requests: 2, hits: 1, misses: 1, bytes: 110, lastAt: at('10:59:59') }),
      bucket({ bucketStart: at('11:00:00'), lastAt: at('11:00:00') }),
      bucket({ region: 'EU', lastAt: at('10:20:00') }),
      bucket({ cacheKey: `/cdn/thumbnails/${fileId}`, url: `${BASE}/cdn/thumbnails/${fileId}`, bytes: 1, lastAt: at('10:30:00') }),
    ]));
    expect(store.writes[0]!.buckets).toHaveLength(4);
  });

  it('keeps the latest request time of a bucket whatever order the hits came in', async () => {
    counter.count([hit({ at: at('10:40:00') }), hit({ at: at('10:10:00') })]);
    await counter.flush();
    expect(store.writes[0]!.buckets[0]!.lastAt).toEqual(at('10:40:00'));
  });

  it('ignores paths that are not a file’s CDN URL', async () => {
    counter.count([hit({ path: `/api/v1/storage/files/${fileId}` }), hit({ path: '/cdn/other/x' }), hit({ path: '/cdn/files/not-an-id/abc' })]);
    await counter.flush();
    expect(store.writes).toEqual([]);
  });

  it('writes once per flush and starts afresh after it, even when the write failed', async () => {
    counter.count([hit({})]);
    await counter.flush();
    await counter.flush();
    expect(store.writes).toHaveLength(1);
    counter.count([hit({}), hit({})]);
    store.failNext = true;
    await expect(counter.flush()).rejects.toThrow('database down');
    counter.count([hit({})]);
    await counter.flush();
    // Best effort: the failed batch is gone, not written twice later.
    expect(store.writes.map((w) => w.buckets[0]!.requests)).toEqual([1, 1]);
  });
});
