import type { BackupHistory } from '../../src/application/ports/backup-history.port';

export interface BackupHistoryUnderTest {
  history: BackupHistory;
  /** Records a completed backup at `at` (absent: a history that never has any, the null adapter). */
  complete?(at: Date, kind: 'manual' | 'scheduled', sizeBytes: number): Promise<string>;
  /** Records a backup that failed. */
  fail?(): Promise<void>;
  close?(): Promise<void>;
}

/** What /db/status and /health read: the newest completed backup, or null; failures never count. */
export function backupHistoryContract(name: string, make: () => Promise<BackupHistoryUnderTest>): void {
  describe(`${name} (BackupHistory contract)`, () => {
    let world: BackupHistoryUnderTest;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    it('answers null before any backup completed', async () => {
      await world.fail?.();
      expect(await world.history.lastCompleted()).toBeNull();
    });

    it('answers the newest completed backup', async () => {
      if (!world.complete) return;
      await world.complete(new Date('2030-01-01T00:00:00Z'), 'manual', 10);
      const newest = await world.complete(new Date('2030-01-02T00:00:00Z'), 'scheduled', 20);
      await world.fail?.();
      expect(await world.history.lastCompleted()).toEqual({ id: newest, kind: 'scheduled', completedAt: new Date('2030-01-02T00:00:00Z'), sizeBytes: 20 });
    });
  });
}
