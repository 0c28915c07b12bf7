import { randomUUID } from 'node:crypto';
import type { NewRestore, RestoreRepository } from '../../src/application/ports/restore-repository.port';

export interface RestoresUnderTest {
  restores: RestoreRepository;
  close?(): Promise<void>;
}

export function aNewRestore(overrides: Partial<NewRestore> = {}): NewRestore {
  return {
    id: randomUUID(),
    backupId: randomUUID(),
    target: 'new_database',
    databaseName: 'restored_copy',
    startedAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    progress: { phase: 'queued', bytes_read: 0 },
    ...overrides,
  };
}

const report = { row_counts: { files: 2 }, files_in_manifest: 2, files_restored: 2, files_missing: 0 };

/** The restores' bookkeeping: one active restore at a time, queued → running → completed | failed. */
export function restoreRepositoryContract(name: string, make: () => Promise<RestoresUnderTest>): void {
  describe(`${name} (RestoreRepository contract)`, () => {
    let world: RestoresUnderTest;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    it('records a queued restore and reads it back; unknown or malformed ids are null', async () => {
      const r = aNewRestore();
      expect(await world.restores.create(r)).toEqual({ created: true });
      expect(await world.restores.findById(r.id)).toEqual({ ...r, status: 'queued', report: null, error: null, completedAt: null });
      expect(await world.restores.findById(randomUUID())).toBeNull();
      expect(await world.restores.findById('not-a-uuid')).toBeNull();
    });

    it('allows one queued or running restore at a time, and another once it finished', async () => {
      const a = aNewRestore();
      await world.restores.create(a);
      expect(await world.restores.create(aNewRestore())).toEqual({ created: false, activeId: a.id });
      await world.restores.saveProgress(a.id, { phase: 'restoring', bytes_read: 10 }, 'running');
      expect(await world.restores.create(aNewRestore())).toEqual({ created: false, activeId: a.id });
      await world.restores.complete(a.id, report, { phase: 'completed', bytes_read: 20 }, new Date());
      expect(await world.restores.create(aNewRestore())).toEqual({ created: true });
    });

    it('saves progress, completes with the report, and never fails a completed restore', async () => {
      const r = aNewRestore();
      await world.restores.create(r);
      await world.restores.saveProgress(r.id, { phase: 'restoring', bytes_read: 10 }, 'running');
      expect(await world.restores.findById(r.id)).toMatchObject({ status: 'running', progress: { phase: 'restoring', bytes_read: 10 } });
      const at = new Date(Math.floor(Date.now() / 1000) * 1000);
      await world.restores.complete(r.id, report, { phase: 'completed', bytes_read: 20 }, at);
      await world.restores.fail(r.id, 'too late', { phase: 'failed', bytes_read: 20 }, new Date());
      await world.restores.saveProgress(r.id, { phase: 'restoring', bytes_read: 1 });
      expect(await world.restores.findById(r.id)).toMatchObject({ status: 'completed', report, error: null, completedAt: at, progress: { phase: 'completed', bytes_read: 20 } });
    });

    it('reports the active in_place restore (the maintenance window) until it ends', async () => {
      const copy = aNewRestore();
      await world.restores.create(copy);
      expect(await world.restores.activeInPlace()).toBeNull();
      await world.restores.fail(copy.id, 'done with it', { phase: 'failed', bytes_read: 0 }, new Date());
      const live = aNewRestore({ target: 'in_place', databaseName: 'live' });
      await world.restores.create(live);
      expect(await world.restores.activeInPlace()).toEqual({ id: live.id });
      await world.restores.saveProgress(live.id, { phase: 'restoring', bytes_read: 1 }, 'running');
      expect(await world.restores.activeInPlace()).toEqual({ id: live.id });
      await world.restores.complete(live.id, report, { phase: 'completed', bytes_read: 2 }, new Date());
      expect(await world.restores.activeInPlace()).toBeNull();
    });

    it('fails a running restore with its reason', async () => {
      const r = aNewRestore();
      await world.restores.create(r);
      await world.restores.fail(r.id, 'pg_restore exited with code 1', { phase: 'failed', bytes_read: 3 }, new Date());
      expect(await world.restores.findById(r.id)).toMatchObject({ status: 'failed', error: 'pg_restore exited with code 1', report: null, progress: { phase: 'failed' } });
    });
  });
}
