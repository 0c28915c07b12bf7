import { PgRestoreRepository } from '../../src/adapters/postgres/pg-restore-repository';
import { aNewRestore, restoreRepositoryContract } from '../contract/restore-repository.contract';
import { migratedScratchDatabase } from '../support/migrated-scratch-database';

jest.setTimeout(30_000);

restoreRepositoryContract('PgRestoreRepository', async () => {
  const scratch = await migratedScratchDatabase();
  return { restores: new PgRestoreRepository(scratch.db), close: () => scratch.close() };
});

describe('PgRestoreRepository stale restores', () => {
  it('fails a queued/running restore whose heartbeat stopped, so a new one can start', async () => {
    const scratch = await migratedScratchDatabase();
    try {
      const restores = new PgRestoreRepository(scratch.db, 0);
      const a = aNewRestore();
      await restores.create(a);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await restores.create(aNewRestore())).toEqual({ created: true });
      expect(await restores.findById(a.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
      // A live one (default: two minutes) is kept.
      expect(await new PgRestoreRepository(scratch.db).create(aNewRestore())).toMatchObject({ created: false });
    } finally {
      await scratch.close();
    }
  });
});

describe('PgRestoreRepository reading a restore whose instance died', () => {
  it('reports it failed (abandoned), not running, without waiting for another restore request (issue 13)', async () => {
    const scratch = await migratedScratchDatabase();
    try {
      const a = aNewRestore();
      await new PgRestoreRepository(scratch.db).create(a);
      await new PgRestoreRepository(scratch.db).saveProgress(a.id, a.progress, 'running');
      // Its heartbeat is fresh: still running.
      expect(await new PgRestoreRepository(scratch.db).findById(a.id)).toMatchObject({ status: 'running', error: null });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await new PgRestoreRepository(scratch.db, 0).findById(a.id)).toMatchObject({ status: 'failed', error: expect.stringMatching(/abandoned/) });
    } finally {
      await scratch.close();
    }
  });
});

describe('PgRestoreRepository maintenance window', () => {
  it('stops counting an in_place restore whose heartbeat stopped (its instance died): no maintenance stuck on', async () => {
    const scratch = await migratedScratchDatabase();
    try {
      const live = aNewRestore({ target: 'in_place', databaseName: 'live' });
      await new PgRestoreRepository(scratch.db).create(live);
      expect(await new PgRestoreRepository(scratch.db).activeInPlace()).toEqual({ id: live.id });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await new PgRestoreRepository(scratch.db, 0).activeInPlace()).toBeNull();
    } finally {
      await scratch.close();
    }
  });
});
