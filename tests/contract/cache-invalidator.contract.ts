import type { CacheInvalidator } from '../../src/application/ports/cache-invalidator.port';
import type { CachedReadProbe } from './commit-effects.contract';
import { KeyValueUnavailable } from '../../src/domain/shared/errors';

export interface CacheInvalidatorUnderTest {
  invalidator: CacheInvalidator;
  /** Caches a read of `tables` now (on any instance); the probe says whether it is still served. */
  cachedRead(tables: string[]): Promise<CachedReadProbe>;
  /** Where the adapter can lose its store: makes it unreachable. */
  storeDown?(): Promise<void>;
  close(): Promise<void>;
}

export interface CacheInvalidatorFeatures {
  outage: boolean;
}

/**
 * What every CacheInvalidator promises a write that has committed: once invalidate resolves, no
 * cached read of those tables is served any more, reads of other tables stay cached, and when the
 * store cannot be told it throws, so the caller keeps the invalidation owed.
 */
export function cacheInvalidatorContract(name: string, make: () => Promise<CacheInvalidatorUnderTest>, features: CacheInvalidatorFeatures): void {
  describe(`${name} (CacheInvalidator contract)`, () => {
    let s: CacheInvalidatorUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it("makes reads of an invalidated table miss, leaving other tables' entries", async () => {
      const projects = await s.cachedRead(['projects']);
      const files = await s.cachedRead(['files']);
      const joined = await s.cachedRead(['content_analysis', 'projects']);
      await s.invalidator.invalidate(['projects']);
      expect(await projects()).toBe(false);
      expect(await joined()).toBe(false);
      expect(await files()).toBe(true);
    });

    it('takes no tables, and tables never read, in its stride', async () => {
      const files = await s.cachedRead(['files']);
      await s.invalidator.invalidate([]);
      await s.invalidator.invalidate(['never_read']);
      expect(await files()).toBe(true);
    });

    if (features.outage) {
      it('throws when the store cannot be told', async () => {
        await s.cachedRead(['projects']);
        await s.storeDown!();
        await expect(s.invalidator.invalidate(['projects'])).rejects.toBeInstanceOf(KeyValueUnavailable);
      });
    }
  });
}
