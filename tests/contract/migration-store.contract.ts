import type { MigrationStore } from '../../src/application/ports/migration-store.port';
import { MigrationFailed } from '../../src/domain/database/errors';
import type { MigrationScript } from '../../src/domain/database/migration';

export interface MigrationStoreHarness {
  store: MigrationStore;
  /** A script this store applies successfully. */
  script(version: string): MigrationScript;
  /** A script whose first statement succeeds and whose second fails. */
  failingScript(version: string): MigrationScript;
  close(): Promise<void>;
}

/** What every MigrationStore must do, the in-memory fake and PostgreSQL alike. */
export function migrationStoreContract(name: string, make: () => Promise<MigrationStoreHarness>): void {
  describe(`MigrationStore contract: ${name}`, () => {
    let h: MigrationStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(() => h.close());

    it('starts with nothing applied', async () => {
      expect(await h.store.applied()).toEqual([]);
    });

    it('records an applied migration with its description, checksum, time and duration', async () => {
      const script = h.script('20240115_001');
      const lock = (await h.store.tryLock())!;
      const applied = await lock.apply(script);
      await lock.release();

      expect(applied).toMatchObject({ version: script.version, description: script.description, checksum: script.checksum });
      expect(applied.appliedAt).toBeInstanceOf(Date);
      expect(applied.durationMs).toBeGreaterThanOrEqual(0);
      expect(await h.store.applied()).toEqual([applied]);
    });

    it('lists applied migrations in version order, whatever the order they were applied in', async () => {
      const lock = (await h.store.tryLock())!;
      await lock.apply(h.script('20240116_001'));
      await lock.apply(h.script('20240115_001'));
      await lock.release();
      expect((await h.store.applied()).map((a) => a.version)).toEqual(['20240115_001', '20240116_001']);
    });

    it('hands the lock to one holder at a time', async () => {
      const first = await h.store.tryLock();
      expect(first).not.toBeNull();
      expect(await h.store.tryLock()).toBeNull();
      await first!.release();
      const second = await h.store.tryLock();
      expect(second).not.toBeNull();
      await second!.release();
    });

    it('lets lock() wait for the holder to release', async () => {
      const first = (await h.store.tryLock())!;
      let granted = false;
      const waiting = h.store.lock().then((lock) => {
        granted = true;
        return lock;
      });
      await h.store.applied();
      expect(granted).toBe(false);
      await first.release();
      const second = await waiting;
      expect(await h.store.tryLock()).toBeNull();
      await second.release();
    });

    it('fails a broken script with MigrationFailed naming its version, and records nothing of it', async () => {
      const lock = (await h.store.tryLock())!;
      await lock.apply(h.script('20240115_001'));
      const error = await lock.apply(h.failingScript('20240116_001')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailed);
      expect(error).toMatchObject({ version: '20240116_001', reason: expect.any(String) });
      expect((await h.store.applied()).map((a) => a.version)).toEqual(['20240115_001']);
      // The lock survives the failure: the holder can go on.
      await lock.apply(h.script('20240117_001'));
      await lock.release();
      expect((await h.store.applied()).map((a) => a.version)).toEqual(['20240115_001', '20240117_001']);
    });

    it('refuses to apply a version twice', async () => {
      const lock = (await h.store.tryLock())!;
      const first = await lock.apply(h.script('20240115_001'));
      await expect(lock.apply(h.script('20240115_001'))).rejects.toBeInstanceOf(MigrationFailed);
      await lock.release();
      expect(await h.store.applied()).toEqual([first]);
    });

    it('releases idempotently, and a released lock applies nothing', async () => {
      const lock = (await h.store.tryLock())!;
      await lock.release();
      await lock.release();
      await expect(lock.apply(h.script('20240115_001'))).rejects.toThrow();
      expect(await h.store.applied()).toEqual([]);
      const again = await h.store.tryLock();
      expect(again).not.toBeNull();
      await again!.release();
    });
  });
}
