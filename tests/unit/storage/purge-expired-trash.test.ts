import { PurgeExpiredTrash } from '../../../src/application/storage/files/purge-expired-trash';
import { StorageBackendError } from '../../../src/domain/storage/errors';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

const DAY = 86_400_000;

function aWorld() {
  const w = storedFilesWorld();
  return { ...w, purge: new PurgeExpiredTrash(w.files, w.remove, w.clock, w.logger) };
}

describe('PurgeExpiredTrash', () => {
  it('deletes, objects and rows, the trash past its 30 days, and nothing else', async () => {
    const w = aWorld();
    const expired = await w.trashed(aFile(), new Date(w.clock.now().getTime() - 31 * DAY));
    const recent = await w.trashed(aFile(), new Date(w.clock.now().getTime() - 29 * DAY));
    const live = await w.stored(aFile());
    await expect(w.purge.execute()).resolves.toEqual({ purged: 1, failed: 0 });
    expect(await w.files.findById(expired.id)).toBeNull();
    expect(await w.hasObject(expired)).toBe(false);
    for (const kept of [recent, live]) {
      expect(await w.files.findById(kept.id)).toEqual(kept);
      expect(await w.hasObject(kept)).toBe(true);
    }
  });

  it('goes on past a file whose object cannot be deleted, logs it and keeps its row for the next run', async () => {
    const w = aWorld();
    const old = new Date(w.clock.now().getTime() - 40 * DAY);
    const stuck = await w.trashed(aFile(), old);
    const others = [await w.trashed(aFile(), old), await w.trashed(aFile(), old)];
    const del = w.store.delete.bind(w.store);
    w.store.delete = async (key) => {
      if (key === stuck.filePath) throw new StorageBackendError('Storage backend memory failed during delete');
      await del(key);
    };
    await expect(w.purge.execute()).resolves.toEqual({ purged: 2, failed: 1 });
    expect(await w.files.findById(stuck.id)).toEqual(stuck);
    for (const f of others) expect(await w.files.findById(f.id)).toBeNull();
    expect(w.logger.entries).toEqual([expect.objectContaining({ level: 'warn', obj: expect.objectContaining({ fileId: stuck.id }) })]);
  });

  it('purges more than one batch in a run', async () => {
    const w = aWorld();
    const old = new Date(w.clock.now().getTime() - 60 * DAY);
    for (let i = 0; i < 230; i++) await w.trashed(aFile(), old);
    await expect(w.purge.execute()).resolves.toEqual({ purged: 230, failed: 0 });
    expect(w.store.keys()).toEqual([]);
  });
});
