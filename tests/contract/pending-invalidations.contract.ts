import type { PendingInvalidations } from '../../src/application/ports/pending-invalidations.port';

export interface PendingInvalidationsUnderTest {
  pending: PendingInvalidations;
  /** Commits a write whose cache invalidation stays owed; the function returned applies it. */
  owe(): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * What every PendingInvalidations promises the read cache coming back from an outage: "none" only
 * once every invalidation owed when it looked has been applied, yet not held up by writes committed
 * after that (steady writes must not keep the cache off for good). `make` gives one with nothing owed.
 */
export function pendingInvalidationsContract(name: string, make: () => Promise<PendingInvalidationsUnderTest>): void {
  describe(`${name} (PendingInvalidations contract)`, () => {
    let s: PendingInvalidationsUnderTest;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(() => s.close());

    it('says none when no committed write owes an invalidation', async () => {
      await expect(s.pending.none()).resolves.toBe(true);
    });

    it('says not none while an invalidation is owed, and none once it is applied', async () => {
      const apply = await s.owe();
      await expect(s.pending.none()).resolves.toBe(false);
      await expect(s.pending.none()).resolves.toBe(false);
      await apply();
      await expect(s.pending.none()).resolves.toBe(true);
    });

    it('waits only for what was owed when it looked, not for writes committed since', async () => {
      const applyFirst = await s.owe();
      await expect(s.pending.none()).resolves.toBe(false);
      await s.owe();
      await applyFirst();
      await expect(s.pending.none()).resolves.toBe(true);
    });
  });
}
