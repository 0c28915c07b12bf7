import { DeleteFile } from '../../../src/application/storage/files/delete-file';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

const DAY = 86_400_000;

function aWorld() {
  const w = storedFilesWorld();
  return { ...w, deleteFile: new DeleteFile(w.files, w.remove, w.clock, w.changed) };
}

describe('DeleteFile', () => {
  it('moves a live file into the trash for 30 days, keeping its object and its bytes counted', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.stored(aFile().ownedBy(owner.userId).sized(700));
    const result = await w.deleteFile.execute({ caller: owner, fileId: file.id, permanent: false });
    expect(result).toMatchObject({ permanent: false, freedBytes: 0, recoveryDeadline: new Date(w.clock.now().getTime() + 30 * DAY) });
    expect((await w.files.findById(file.id))?.deletedAt).toEqual(w.clock.now());
    expect(await w.hasObject(file)).toBe(true);
    expect(await w.files.usedBytes(owner.userId)).toBe(700);
    expect(w.changes).toEqual([{ fileId: file.id, change: 'file_deleted', rowExisted: true }]);
  });

  it('does not trash a file twice', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.trashed(aFile().ownedBy(owner.userId));
    await expect(w.deleteFile.execute({ caller: owner, fileId: file.id, permanent: false })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(w.changes).toEqual([]);
  });

  it.each([
    ['a live file', false],
    ['a trashed file', true],
  ])('deletes %s for good: object and row, telling the listener while the row still exists', async (_name, inTrash) => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = inTrash ? await w.trashed(aFile().ownedBy(owner.userId).sized(300)) : await w.stored(aFile().ownedBy(owner.userId).sized(300));
    const result = await w.deleteFile.execute({ caller: owner, fileId: file.id, permanent: true });
    expect(result).toMatchObject({ permanent: true, recoveryDeadline: null, freedBytes: 300 });
    expect(await w.files.findById(file.id)).toBeNull();
    expect(await w.hasObject(file)).toBe(false);
    expect(await w.files.usedBytes(owner.userId)).toBe(0);
    expect(w.changes).toEqual([{ fileId: file.id, change: 'file_deleted', rowExisted: true }]);
  });

  it.each([false, true])('answers FileNotFound for another user\'s file and leaves it alone (permanent: %s)', async (permanent) => {
    const w = aWorld();
    const file = await w.stored(aFile());
    await expect(w.deleteFile.execute({ caller: aCaller().build(), fileId: file.id, permanent })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await w.files.findById(file.id)).toEqual(file);
    expect(await w.hasObject(file)).toBe(true);
    expect(w.changes).toEqual([]);
  });

  it('lets an admin delete another user\'s file', async () => {
    const w = aWorld();
    const file = await w.stored(aFile());
    await w.deleteFile.execute({ caller: aCaller().withRole('admin').build(), fileId: file.id, permanent: true });
    expect(await w.files.findById(file.id)).toBeNull();
  });

  it('keeps the row when the provider cannot delete the object, so the deletion can be retried', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.stored(aFile().ownedBy(owner.userId));
    w.store.setAvailable(false);
    await expect(w.deleteFile.execute({ caller: owner, fileId: file.id, permanent: true })).rejects.toMatchObject({ code: 'STORAGE_BACKEND_ERROR' });
    w.store.setAvailable(true);
    expect(await w.files.findById(file.id)).toEqual(file);
    expect(await w.hasObject(file)).toBe(true);
    await w.deleteFile.execute({ caller: owner, fileId: file.id, permanent: true });
    expect(await w.files.findById(file.id)).toBeNull();
  });
});
