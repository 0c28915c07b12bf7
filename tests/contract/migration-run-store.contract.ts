import type { MigrationRunStore } from '../../src/application/ports/migration-run-store.port';
import { newMigrationRun, runFailed, stepCompleted, stepStarted } from '../../src/domain/database/migration-run';
import { aMigrationScript } from '../support/migration-builders';

export interface MigrationRunStoreHarness {
  store: MigrationRunStore;
  close(): Promise<void>;
}

const t = (seconds: number) => new Date(Date.UTC(2024, 0, 15, 9, 0, seconds, 123));
const plan = [aMigrationScript('20240115_001').estimatedAt(1500).build(), aMigrationScript('20240116_001').build()];
const aRun = (id: string) => newMigrationRun({ id, plan, targetVersion: '20240116_001', dryRun: false, now: t(0) });

export function migrationRunStoreContract(name: string, make: () => Promise<MigrationRunStoreHarness>): void {
  describe(`MigrationRunStore contract: ${name}`, () => {
    let h: MigrationRunStoreHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(() => h.close());

    it('answers null for a run it never saw', async () => {
      expect(await h.store.get('mig_unknown')).toBeNull();
    });

    it('returns a saved run as it was saved, dates and steps included', async () => {
      const run = stepStarted(aRun('mig_a'), '20240115_001', t(1));
      await h.store.save(run);
      expect(await h.store.get('mig_a')).toEqual(run);
    });

    it('replaces a run saved again with the same id', async () => {
      let run = stepStarted(aRun('mig_b'), '20240115_001', t(1));
      await h.store.save(run);
      run = stepCompleted(run, '20240115_001', 42, t(2));
      run = runFailed(stepStarted(run, '20240116_001', t(3)), '20240116_001', 'relation "x" does not exist', t(4));
      await h.store.save(run);
      const stored = await h.store.get('mig_b');
      expect(stored).toEqual(run);
      expect(stored?.error).toEqual({ version: '20240116_001', message: 'relation "x" does not exist' });
    });

    it('lists only the runs still running', async () => {
      const running = aRun('mig_c');
      await h.store.save(running);
      await h.store.save(runFailed(aRun('mig_d'), '20240115_001', 'boom', t(1)));
      await h.store.save(newMigrationRun({ id: 'mig_e', plan, targetVersion: null, dryRun: true, now: t(2) }));
      expect((await h.store.running()).map((r) => r.id)).toEqual(['mig_c']);
    });

    it('keeps what was saved, not the caller\'s object', async () => {
      const run = aRun('mig_f');
      await h.store.save(run);
      (run as { status: string }).status = 'failed';
      expect((await h.store.get('mig_f'))?.status).toBe('running');
    });
  });
}

