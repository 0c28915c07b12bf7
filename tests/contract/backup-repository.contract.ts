import { randomUUID } from 'node:crypto';
import type { BackupManifestEntry } from '../../src/domain/database/backup';
import type { BackupRepository, NewBackup } from '../../src/application/ports/backup-repository.port';
import type { RetainedObjects } from '../../src/application/ports/retained-objects.port';

export interface BackupsUnderTest {
  backups: BackupRepository;
  retained: RetainedObjects;
  /** What a snapshot's manifest copy leaves behind for a backup. */
  seedManifest(backupId: string, entries: BackupManifestEntry[]): Promise<void>;
  /** A files row using `key` exists again (as after an in-place restore). */
  reviveFile(key: string): Promise<void>;
  close?(): Promise<void>;
}

const DAY = 86_400_000;

export function aNewBackup(overrides: Partial<NewBackup> = {}): NewBackup {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    label: null,
    kind: 'manual',
    includeFilesManifest: true,
    startedAt: new Date(),
    storage: { provider: 'memory', key: `backups/db/${id}.pgdump.vbk` },
    encrypted: true,
    progress: { phase: 'queued', tablesDone: 0, tablesTotal: 0, bytesWritten: 0 },
    ...overrides,
  };
}

const progress = { phase: 'dumping' as const, tablesDone: 1, tablesTotal: 3, bytesWritten: 10 };
const entry = (key: string): BackupManifestEntry => ({ fileId: randomUUID(), key, storageProvider: 'local_disk', sizeBytes: 5, sha256: 'a'.repeat(64) });

/**
 * The backups' bookkeeping: one active backup at a time, the lifecycle queued → running →
 * completed | failed (never back), newest-first lists, retention that keeps the newest completed, and
 * the tombstones that keep deleted files' objects while a kept backup lists them.
 */
export function backupRepositoryContract(name: string, make: () => Promise<BackupsUnderTest>): void {
  describe(`${name} (BackupRepository and RetainedObjects contract)`, () => {
    let world: BackupsUnderTest;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    async function completed(startedAt: Date, expiresAt: Date | null): Promise<string> {
      const b = aNewBackup({ startedAt });
      await world.backups.create(b);
      await world.backups.markRunning(b.id, progress);
      const done = await world.backups.complete(b.id, { completedAt: startedAt, sizeBytes: 10, sha256: 'f'.repeat(64), serverVersion: '15', migrationVersion: null, filesInManifest: 0, expiresAt }, progress);
      expect(done).toBe(true);
      return b.id;
    }

    it('lets one backup be active at a time, and names it', async () => {
      const first = aNewBackup();
      expect(await world.backups.create(first)).toEqual({ created: true });
      expect(await world.backups.create(aNewBackup())).toEqual({ created: false, activeId: first.id });
      await world.backups.markRunning(first.id, progress);
      expect(await world.backups.create(aNewBackup())).toEqual({ created: false, activeId: first.id });
      await world.backups.fail(first.id, 'boom', progress);
      expect(await world.backups.create(aNewBackup())).toEqual({ created: true });
    });

    it('moves queued → running → completed, and never back', async () => {
      const b = aNewBackup({ label: 'nightly' });
      await world.backups.create(b);
      expect(await world.backups.findById(b.id)).toMatchObject({ id: b.id, label: 'nightly', status: 'queued', sizeBytes: null, storage: b.storage, encrypted: true });
      expect(await world.backups.markRunning(b.id, progress)).toBe(true);
      expect(await world.backups.markRunning(b.id, progress)).toBe(false);
      await world.backups.saveProgress(b.id, { ...progress, bytesWritten: 99 });
      expect((await world.backups.findById(b.id))!.progress.bytesWritten).toBe(99);
      const at = new Date('2030-01-01T00:00:00Z');
      expect(await world.backups.complete(b.id, { completedAt: at, sizeBytes: 123, sha256: 'e'.repeat(64), serverVersion: '15.2', migrationVersion: '20240124_001', filesInManifest: 2, expiresAt: null }, { ...progress, phase: 'completed' })).toBe(true);
      await world.backups.fail(b.id, 'too late', progress);
      expect(await world.backups.findById(b.id)).toMatchObject({ status: 'completed', completedAt: at, sizeBytes: 123, migrationVersion: '20240124_001', filesInManifest: 2, error: null });
      expect((await world.backups.lastCompleted())!.id).toBe(b.id);
    });

    it('does not complete a backup that was failed meanwhile', async () => {
      const b = aNewBackup();
      await world.backups.create(b);
      await world.backups.markRunning(b.id, progress);
      await world.backups.fail(b.id, 'no heartbeat', progress);
      expect(await world.backups.complete(b.id, { completedAt: new Date(), sizeBytes: 1, sha256: 'x', serverVersion: '15', migrationVersion: null, filesInManifest: null, expiresAt: null }, progress)).toBe(false);
      expect(await world.backups.findById(b.id)).toMatchObject({ status: 'failed', error: 'no heartbeat' });
    });

    it('lists newest first, by pages, and answers unknown or malformed ids with null', async () => {
      const ids = [await completed(new Date(Date.now() - 3 * DAY), null), await completed(new Date(Date.now() - 2 * DAY), null), await completed(new Date(Date.now() - DAY), null)];
      const page1 = await world.backups.list(1, 2);
      expect(page1.total).toBe(3);
      expect(page1.backups.map((b) => b.id)).toEqual([ids[2], ids[1]]);
      expect((await world.backups.list(2, 2)).backups.map((b) => b.id)).toEqual([ids[0]]);
      expect(await world.backups.findById(randomUUID())).toBeNull();
      expect(await world.backups.findById('not-a-uuid')).toBeNull();
    });

    it('finds stale active backups by their heartbeat', async () => {
      const b = aNewBackup();
      await world.backups.create(b);
      await world.backups.markRunning(b.id, progress);
      expect(await world.backups.stale(new Date(Date.now() - 60_000))).toEqual([]);
      expect((await world.backups.stale(new Date(Date.now() + 60_000))).map((s) => s.id)).toEqual([b.id]);
    });

    it('expires past their date, except the keepMin newest completed', async () => {
      const now = new Date();
      const old = await completed(new Date(now.getTime() - 10 * DAY), new Date(now.getTime() - 3 * DAY));
      const older = await completed(new Date(now.getTime() - 20 * DAY), new Date(now.getTime() - 13 * DAY));
      const fresh = await completed(new Date(now.getTime() - DAY), new Date(now.getTime() + 6 * DAY));
      expect((await world.backups.expired(now, 0, 10)).map((b) => b.id)).toEqual([older, old]);
      expect((await world.backups.expired(now, 2, 10)).map((b) => b.id)).toEqual([older]);
      expect((await world.backups.expired(now, 3, 10)).map((b) => b.id)).toEqual([]);
      await world.backups.remove(older);
      expect(await world.backups.findById(older)).toBeNull();
      expect(fresh).toBeDefined();
    });

    it('reads the manifest by backup id, in pages', async () => {
      const id = await completed(new Date(), null);
      const entries = [entry('a/1'), entry('a/2'), entry('a/3')];
      await world.seedManifest(id, entries);
      const all = await world.backups.manifest(id, 0, 10);
      expect(all).toHaveLength(3);
      expect(all.map((e) => e.key).sort()).toEqual(['a/1', 'a/2', 'a/3']);
      expect(all[0]).toMatchObject({ storageProvider: 'local_disk', sizeBytes: 5, sha256: 'a'.repeat(64) });
      expect(await world.backups.manifest(id, 2, 10)).toHaveLength(1);
      expect(await world.backups.manifest(randomUUID(), 0, 10)).toEqual([]);
    });

    it('tombstones what a kept backup lists, and releases it once no kept backup does', async () => {
      const id = await completed(new Date(), null);
      await world.seedManifest(id, [entry('kept/x')]);
      expect(await world.retained.retainIfListed({ fileId: randomUUID(), key: 'free/y', storageProvider: 'local_disk' })).toBe(false);
      expect(await world.retained.retainIfListed({ fileId: randomUUID(), key: 'kept/x', storageProvider: 'local_disk' })).toBe(true);
      expect(await world.retained.releasable(10)).toEqual([]);
      await world.backups.remove(id);
      const released = await world.retained.releasable(10);
      expect(released.map((t) => t.key)).toEqual(['kept/x']);
      await world.retained.forget('kept/x');
      expect(await world.retained.releasable(10)).toEqual([]);
    });

    it('drops the tombstones whose file row came back, and only those', async () => {
      const b = await completed(new Date(), null);
      await world.seedManifest(b, [entry('back/a'), entry('still/gone')]);
      for (const key of ['back/a', 'still/gone']) expect(await world.retained.retainIfListed({ fileId: randomUUID(), key, storageProvider: 'local_disk' })).toBe(true);
      await world.reviveFile('back/a');
      expect(await world.retained.forgetRevived()).toBe(1);
      expect(await world.retained.forgetRevived()).toBe(0);
      await world.backups.remove(b);
      expect((await world.retained.releasable(10)).map((t) => t.key)).toEqual(['still/gone']);
    });

    it('tombstones every deletion while a backup is active, and holds them until it ends', async () => {
      const b = aNewBackup();
      await world.backups.create(b);
      expect(await world.retained.retainIfListed({ fileId: randomUUID(), key: 'during/z', storageProvider: null })).toBe(true);
      expect(await world.retained.releasable(10)).toEqual([]);
      await world.backups.fail(b.id, 'stopped', progress);
      expect((await world.retained.releasable(10)).map((t) => t.key)).toEqual(['during/z']);
    });
  });
}
