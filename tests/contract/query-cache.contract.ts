import type { QueryCache } from '../../src/application/ports/query-cache.port';

export interface QueryCacheUnderTest {
  cache: QueryCache;
  /** Lets `ms` pass for the cache: a fake clock in memory, real time for Redis. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every QueryCache promises, Redis or in-memory. Generations are opaque numbers: only their
 * equality matters (same table, no write in between → same number; a bump → a number never seen
 * for that table before).
 */
export function queryCacheContract(name: string, make: () => Promise<QueryCacheUnderTest>): void {
  describe(`${name} (QueryCache contract)`, () => {
    let s: QueryCacheUnderTest;
    let cache: QueryCache;
    beforeEach(async () => {
      s = await make();
      cache = s.cache;
    });
    afterEach(() => s.close());

    it('gives each table a generation that stays put until bumped, in the order asked', async () => {
      const first = await cache.generations(['projects', 'files']);
      expect(first).toHaveLength(2);
      first.forEach((g) => expect(Number.isSafeInteger(g)).toBe(true));
      await expect(cache.generations(['projects', 'files'])).resolves.toEqual(first);
      await expect(cache.generations(['files', 'projects'])).resolves.toEqual([first[1], first[0]]);
      await expect(cache.generations([])).resolves.toEqual([]);
    });

    it('moves only the bumped tables to new generations, each bump to one never seen', async () => {
      const [projects, files] = await cache.generations(['projects', 'files']);
      const seen = new Set([projects]);
      for (let i = 0; i < 3; i++) {
        await cache.bump(['projects', 'projects']);
        const [next, filesNow] = await cache.generations(['projects', 'files']);
        expect(seen.has(next!)).toBe(false);
        seen.add(next!);
        expect(filesNow).toBe(files);
      }
      await cache.bump([]);
    });

    it('bumps a table never read before', async () => {
      await cache.bump(['fresh_table']);
      const [gen] = await cache.generations(['fresh_table']);
      await cache.bump(['fresh_table']);
      await expect(cache.generations(['fresh_table'])).resolves.not.toEqual([gen]);
    });

    it('stores and returns values exactly while the generations stay put, the last one stored winning', async () => {
      const first = await cache.lookup('k', ['projects']);
      expect(first.value).toBeNull();
      const value = JSON.stringify({ data: [{ title: 'héllo ✓' }], total: 1 });
      await cache.store('k', first.generations, value, 60);
      await expect(cache.lookup('k', ['projects'])).resolves.toEqual({ value, generations: first.generations });
      await cache.store('k', first.generations, '[]', 60);
      await expect(cache.lookup('k', ['projects'])).resolves.toMatchObject({ value: '[]' });
    });

    it('never returns a value stored before one of its tables was bumped', async () => {
      const { generations } = await cache.lookup('k', ['projects', 'files']);
      await cache.store('k', generations, 'old rows', 60);
      await cache.bump(['files']);
      const after = await cache.lookup('k', ['projects', 'files']);
      expect(after.value).toBeNull();
      expect(after.generations).not.toEqual(generations);
      // A value read before the bump but stored after it (a slow reader) is not returned either.
      await cache.store('k', generations, 'old rows, stored late', 60);
      await expect(cache.lookup('k', ['projects', 'files'])).resolves.toMatchObject({ value: null });
    });

    it('forgets a value once its time to live has passed', async () => {
      const { generations } = await cache.lookup('brief', ['projects']);
      await cache.store('brief', generations, 'x', 1);
      await cache.store('lasting', generations, 'y', 60);
      await s.elapse(1_200);
      await expect(cache.lookup('brief', ['projects'])).resolves.toMatchObject({ value: null });
      await expect(cache.lookup('lasting', ['projects'])).resolves.toMatchObject({ value: 'y' });
    });

    it('keeps values of other tables: a bump only reaches values that depend on the bumped table', async () => {
      const { generations } = await cache.lookup('files-only', ['files']);
      await cache.store('files-only', generations, 'value', 60);
      await cache.bump(['projects']);
      await expect(cache.lookup('files-only', ['files'])).resolves.toMatchObject({ value: 'value' });
    });
  });
}
