import { RestoreFile } from '../../../src/application/storage/files/restore-file';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

function aWorld() {
  const w = storedFilesWorld();
  return { ...w, restore: new RestoreFile(w.files) };
}

describe('RestoreFile', () => {
  it('takes a trashed file out of the trash, back among the live files', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.trashed(aFile().ownedBy(owner.userId));
    expect(await w.restore.execute({ caller: owner, fileId: file.id })).toEqual({ ...file, deletedAt: null });
    const live = await w.files.list({ userId: owner.userId, sort: 'created_at', order: 'desc', page: 1, limit: 10 });
    expect(live.files.map((f) => f.id)).toEqual([file.id]);
  });

  it('answers FileNotFound for a file that is not in the trash', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.stored(aFile().ownedBy(owner.userId));
    await expect(w.restore.execute({ caller: owner, fileId: file.id })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await w.files.findById(file.id)).toEqual(file);
  });

  it('answers FileNotFound for another user\'s trashed file, which stays in the trash', async () => {
    const w = aWorld();
    const file = await w.trashed(aFile());
    await expect(w.restore.execute({ caller: aCaller().build(), fileId: file.id })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect((await w.files.findById(file.id))?.deletedAt).toEqual(file.deletedAt);
  });

  it('lets an admin restore another user\'s file', async () => {
    const w = aWorld();
    const file = await w.trashed(aFile());
    await w.restore.execute({ caller: aCaller().withRole('admin').build(), fileId: file.id });
    expect((await w.files.findById(file.id))?.deletedAt).toBeNull();
  });
});
