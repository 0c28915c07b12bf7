import type { CacheObserver } from '../../src/application/ports/cache-observer.port';

export interface CacheObserverUnderTest {
  observer: CacheObserver;
  /** What the observer has counted for `cache`, as /metrics (or the fake) reports it. */
  counts(cache: string): Promise<{ hits: number; misses: number }>;
}

/**
 * What every CacheObserver promises to the read cache: each hit and miss counted once, under the
 * cache it names, so /metrics can tell the query cache's ratio from any other's; counting never throws.
 */
export function cacheObserverContract(name: string, make: () => CacheObserverUnderTest): void {
  describe(`${name} (CacheObserver contract)`, () => {
    it('starts every cache at zero', async () => {
      const { counts } = make();
      await expect(counts('query')).resolves.toEqual({ hits: 0, misses: 0 });
    });

    it('counts each hit and each miss once', async () => {
      const { observer, counts } = make();
      observer.hit('query');
      observer.hit('query');
      observer.miss('query');
      observer.hit('query');
      await expect(counts('query')).resolves.toEqual({ hits: 3, misses: 1 });
    });

    it('keeps the counts of each cache apart', async () => {
      const { observer, counts } = make();
      observer.hit('query');
      observer.miss('tokens');
      observer.miss('tokens');
      await expect(counts('query')).resolves.toEqual({ hits: 1, misses: 0 });
      await expect(counts('tokens')).resolves.toEqual({ hits: 0, misses: 2 });
      await expect(counts('never-used')).resolves.toEqual({ hits: 0, misses: 0 });
    });

    it('never throws, whatever the cache is called', () => {
      const { observer } = make();
      for (const cache of ['', 'with "quotes"', 'line\nbreak', 'ünïcode ✓']) {
        expect(() => observer.hit(cache)).not.toThrow();
        expect(() => observer.miss(cache)).not.toThrow();
      }
    });
  });
}
