import type { DatabaseDumper } from '../../src/application/ports/database-dumper.port';

export interface DumperUnderTest {
  dumper: DatabaseDumper;
  /** A backup the manifest may be recorded for (a db_backups row, for PostgreSQL): made before the snapshot, as RunBackup does. */
  aBackupId(): Promise<string>;
  /** The manifest rows kept for the backup. */
  manifestOf(backupId: string): Promise<number>;
  /** Files rows the manifest must list. */
  filesCount(): Promise<number>;
  close?(): Promise<void>;
}

async function drain(stream: NodeJS.ReadableStream): Promise<number> {
  let bytes = 0;
  for await (const chunk of stream) bytes += (chunk as Buffer).length;
  return bytes;
}

/**
 * What RunBackup relies on: a snapshot that states its facts, a dump that streams and reports its
 * tables, `finished` that tells a clean exit from an abort, and a manifest kept only when asked.
 */
export function databaseDumperContract(name: string, make: () => Promise<DumperUnderTest>): void {
  describe(`${name} (DatabaseDumper contract)`, () => {
    let world: DumperUnderTest;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    it('has its tools', async () => {
      expect(await world.dumper.tools()).toMatchObject({ available: true, version: expect.any(String), serverMajorVersion: expect.any(Number) });
    });

    it('dumps a snapshot as a stream, one table event per table at most, and keeps the manifest when asked', async () => {
      const id = await world.aBackupId();
      const snapshot = await world.dumper.openSnapshot();
      expect(snapshot.serverVersion).toMatch(/^\d+/);
      expect(snapshot.tablesTotal).toBeGreaterThan(0);
      expect(await snapshot.recordManifest(id)).toBe(await world.filesCount());
      let tables = 0;
      const running = snapshot.dump(() => tables++);
      expect(await drain(running.archive)).toBeGreaterThan(0);
      await running.finished;
      expect(tables).toBeGreaterThan(0);
      expect(tables).toBeLessThanOrEqual(snapshot.tablesTotal);
      await snapshot.close({ keep: true });
      expect(await world.manifestOf(id)).toBe(await world.filesCount());
    });

    it('rejects `finished` when aborted, and keeps no manifest when closed without keeping', async () => {
      const id = await world.aBackupId();
      const snapshot = await world.dumper.openSnapshot();
      await snapshot.recordManifest(id);
      const running = snapshot.dump(() => undefined);
      running.abort();
      running.archive.resume();
      await expect(running.finished).rejects.toThrow();
      await snapshot.close({ keep: false });
      expect(await world.manifestOf(id)).toBe(0);
    });
  });
}
