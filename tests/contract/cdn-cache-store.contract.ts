import { randomUUID } from 'node:crypto';
import type { CdnCacheStore, TrafficBucket } from '../../src/application/ports/cdn-cache-store.port';
import type { FileRepository } from '../../src/application/ports/file-repository.port';
import type { CdnProvider } from '../../src/domain/storage/cdn';
import type { StoredFile } from '../../src/domain/storage/stored-file';
import { aFile } from '../support/file-builder';

/** A cdn_cache row as the harness reads it back (the port writes these rows but never reads them). */
export interface CacheRowView {
  fileId: string;
  provider: CdnProvider;
  url: string;
  cacheKey: string;
  hitCount: number;
  lastHitAt: Date | null;
  expiresAt: Date | null;
}

export interface CdnCacheStoreUnderTest {
  /** A store with no traffic and no cache rows yet. */
  store: CdnCacheStore;
  /** Where the store learns which files exist and whose they are. */
  files: FileRepository;
  cacheRows(fileId: string): Promise<CacheRowView[]>;
}

const HOUR = 3_600_000;
const T0 = new Date('2024-01-15T10:00:00Z');
const at = (hours: number, minutes = 0) => new Date(T0.getTime() + hours * HOUR + minutes * 60_000);

/** One hour of one URL of `file`: 1 request, a miss of 100 bytes, unless told otherwise. */
function bucket(file: StoredFile, b: Partial<TrafficBucket> = {}): TrafficBucket {
  const path = b.cacheKey ?? `/cdn/files/${file.id}/0123456789abcdef`;
  return {
    fileId: file.id, cacheKey: path, url: `https://cdn.example.test${path}`, bucketStart: T0, region: null,
    requests: 1, hits: 0, misses: 1, bytes: 100, lastAt: at(0, 10), ...b,
  };
}

/** What every CdnCacheStore promises, PostgreSQL or the fake. */
export function cdnCacheStoreContract(name: string, make: () => Promise<CdnCacheStoreUnderTest>): void {
  describe(`${name} (CdnCacheStore contract)`, () => {
    let h: CdnCacheStoreUnderTest;
    let store: CdnCacheStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });

    async function aStoredFile(owner: string = randomUUID()): Promise<StoredFile> {
      const file = aFile().ownedBy(owner).build();
      expect(await h.files.insertWithinQuota(file, Number.MAX_SAFE_INTEGER, [])).toEqual({ inserted: true });
      return file;
    }
    const everyone = (since = T0) => store.stats({ since, userId: null, topFiles: 10 });

    it('adds up requests, hits, misses and bytes, across buckets and across flushes', async () => {
      const file = await aStoredFile();
      await store.recordTraffic('varnish', [bucket(file, { requests: 3, hits: 2, misses: 1, bytes: 300 }), bucket(file, { cacheKey: `/cdn/thumbnails/${file.id}`, requests: 2, hits: 2, misses: 0, bytes: 20 })], 60);
      await store.recordTraffic('varnish', [bucket(file, { requests: 4, hits: 1, misses: 3, bytes: 400 })], 60);
      await store.recordTraffic('cloudflare', [bucket(file, { requests: 1, hits: 1, misses: 0, bytes: 5 })], 60);
      expect(await everyone()).toEqual({
        requests: 10, hits: 6, misses: 4, bytes: 725,
        topFiles: [{ fileId: file.id, requests: 10, bytes: 725 }],
        regions: [],
        intervals: [],
      });
    });

    it('counts from the start of the hour `since` falls in, not before', async () => {
      const file = await aStoredFile();
      await store.recordTraffic('varnish', [-1, 0, 1].map((h) => bucket(file, { bucketStart: at(h), requests: 10 ** (h + 1) })), 60);
      expect((await everyone(at(0, 30))).requests).toBe(110);
      expect((await everyone(at(0))).requests).toBe(110);
      expect((await everyone(at(-1, 59))).requests).toBe(111);
      expect((await everyone(at(1, 1))).requests).toBe(100);
      expect((await everyone(at(2))).requests).toBe(0);
    });

    it('scopes to the owner (null: everyone) and to one file when asked', async () => {
      const alice = randomUUID();
      const [a1, a2, b1] = [await aStoredFile(alice), await aStoredFile(alice), await aStoredFile()];
      await store.recordTraffic('varnish', [bucket(a1, { requests: 1 }), bucket(a2, { requests: 2 }), bucket(b1, { requests: 4 })], 60);
      expect((await store.stats({ since: T0, userId: alice, topFiles: 10 })).requests).toBe(3);
      expect((await store.stats({ since: T0, userId: alice, fileId: a2.id, topFiles: 10 })).requests).toBe(2);
      // Someone else's file asked for by id: the owner scope still applies.
      expect((await store.stats({ since: T0, userId: alice, fileId: b1.id, topFiles: 10 })).requests).toBe(0);
      expect((await everyone()).requests).toBe(7);
      expect((await store.stats({ since: T0, userId: randomUUID(), topFiles: 10 })).requests).toBe(0);
    });

    it('counts per interval when asked: hourly rows summed into epoch-aligned intervals, oldest first, quiet ones left out', async () => {
      const [mine, theirs] = [await aStoredFile(), await aStoredFile()];
      // T0 is 10:00 UTC: 6-hour intervals start at 06:00, 12:00 and 18:00.
      await store.recordTraffic('varnish', [
        bucket(mine, { bucketStart: at(-1), requests: 1, hits: 1, misses: 0, bytes: 10 }),
        bucket(mine, { bucketStart: at(1), requests: 2, hits: 1, misses: 1, bytes: 20 }),
        bucket(theirs, { bucketStart: at(2), requests: 4, hits: 0, misses: 4, bytes: 40 }),
        bucket(mine, { bucketStart: at(9), requests: 8, hits: 8, misses: 0, bytes: 80 }),
      ], 60);
      await store.recordTraffic('cloudflare', [bucket(mine, { bucketStart: at(9), requests: 16, hits: 16, misses: 0, bytes: 160 })], 60);
      const six = 6 * HOUR;
      const stats = await store.stats({ since: T0, userId: null, topFiles: 10, intervalMs: six });
      expect(stats.intervals).toEqual([
        { start: new Date('2024-01-15T06:00:00Z'), requests: 2, hits: 1, misses: 1, bytes: 20 },
        { start: new Date('2024-01-15T12:00:00Z'), requests: 4, hits: 0, misses: 4, bytes: 40 },
        { start: new Date('2024-01-15T18:00:00Z'), requests: 24, hits: 24, misses: 0, bytes: 240 },
      ]);
      expect(stats.requests).toBe(30);
      // The hour before `since` is outside, the owner scope applies, and hours sum into one interval.
      const hourly = await store.stats({ since: at(-1), userId: mine.userId, topFiles: 10, intervalMs: HOUR });
      expect(hourly.intervals.map((i) => [i.start, i.requests])).toEqual([[at(-1), 1], [at(1), 2], [at(9), 24]]);
      expect((await store.stats({ since: T0, userId: null, fileId: theirs.id, topFiles: 10, intervalMs: 24 * HOUR })).intervals).toEqual([
        { start: new Date('2024-01-15T00:00:00Z'), requests: 4, hits: 0, misses: 4, bytes: 40 },
      ]);
      expect((await everyone()).intervals).toEqual([]);
    });

    it('ranks top files by requests (then id), at most topFiles of them', async () => {
      const files = [await aStoredFile(), await aStoredFile(), await aStoredFile()];
      await store.recordTraffic('varnish', files.map((f, i) => bucket(f, { requests: [5, 9, 5][i]!, bytes: i })), 60);
      const fives = [files[0]!, files[2]!].sort((x, y) => (x.id < y.id ? -1 : 1));
      const { topFiles } = await store.stats({ since: T0, userId: null, topFiles: 2 });
      expect(topFiles).toEqual([
        { fileId: files[1]!.id, requests: 9, bytes: 1 },
        { fileId: fives[0]!.id, requests: 5, bytes: files.indexOf(fives[0]!) },
      ]);
    });

    it('drops traffic for a file that does not exist, and forgets a file removed later', async () => {
      const ghost = aFile().build();
      const file = await aStoredFile();
      await store.recordTraffic('varnish', [bucket(ghost, { requests: 50 }), bucket(file, { requests: 3 })], 60);
      expect(await h.cacheRows(ghost.id)).toEqual([]);
      expect((await everyone()).requests).toBe(3);
      await h.files.remove(file.id);
      expect(await everyone()).toEqual({ requests: 0, hits: 0, misses: 0, bytes: 0, topFiles: [], regions: [], intervals: [] });
    });

    it('lists regions only as reported, most requests first; unreported requests count in the totals only', async () => {
      const file = await aStoredFile();
      await store.recordTraffic('varnish', [bucket(file, { requests: 7 })], 60);
      expect((await everyone()).regions).toEqual([]);
      await store.recordTraffic('cloudflare', [bucket(file, { region: 'EU', requests: 2 }), bucket(file, { region: 'US', requests: 3 })], 60);
      await store.recordTraffic('cloudflare', [bucket(file, { region: 'EU', requests: 2 })], 60);
      const stats = await everyone();
      expect(stats.regions).toEqual([{ region: 'EU', requests: 4 }, { region: 'US', requests: 3 }]);
      expect(stats.requests).toBe(14);
    });

    it('keeps one cache row per URL: hits accumulate, a miss sets the expiry to that miss + TTL', async () => {
      const file = await aStoredFile();
      const b = bucket(file);
      await store.recordTraffic('varnish', [{ ...b, requests: 3, hits: 2, misses: 1, lastAt: at(0, 20) }], 600);
      await store.recordTraffic('varnish', [{ ...b, requests: 4, hits: 4, misses: 0, lastAt: at(0, 40) }], 600);
      expect(await h.cacheRows(file.id)).toEqual([
        // The hits-only flush moved the last hit, not the expiry: nothing was fetched again.
        { fileId: file.id, provider: 'varnish', url: b.url, cacheKey: b.cacheKey, hitCount: 6, lastHitAt: at(0, 40), expiresAt: at(0, 30) },
      ]);
      await store.recordTraffic('varnish', [{ ...b, bucketStart: at(1), requests: 1, hits: 0, misses: 1, lastAt: at(1, 5) }], 600);
      expect(await h.cacheRows(file.id)).toEqual([expect.objectContaining({ hitCount: 6, lastHitAt: at(0, 40), expiresAt: at(1, 15) })]);
    });

    it('markPurged expires the listed URLs of that provider only, now', async () => {
      const file = await aStoredFile();
      const [main, thumb] = [bucket(file), bucket(file, { cacheKey: `/cdn/thumbnails/${file.id}` })];
      await store.recordTraffic('varnish', [main, thumb], 3_600);
      await store.recordTraffic('cloudflare', [main], 3_600);
      await store.markPurged('varnish', [main.cacheKey], at(0, 45));
      const rows = await h.cacheRows(file.id);
      const row = (provider: CdnProvider, key: string) => rows.find((r) => r.provider === provider && r.cacheKey === key);
      expect(rows).toHaveLength(3);
      expect(row('varnish', main.cacheKey)?.expiresAt).toEqual(at(0, 45));
      expect(row('varnish', thumb.cacheKey)?.expiresAt).toEqual(at(1, 10));
      expect(row('cloudflare', main.cacheKey)?.expiresAt).toEqual(at(1, 10));
      await expect(store.markPurged('varnish', [], at(2))).resolves.toBeUndefined();
    });
  });
}
