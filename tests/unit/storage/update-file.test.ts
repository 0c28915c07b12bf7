import { UpdateFile } from '../../../src/application/storage/files/update-file';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

function aWorld() {
  const w = storedFilesWorld();
  return { ...w, update: new UpdateFile(w.files, w.changed) };
}

describe('UpdateFile', () => {
  it('renames the label only (cleaned as at upload), sets visibility and merges metadata key by key', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.stored(aFile().ownedBy(owner.userId).tagged('old'));
    await w.files.update(file.id, { metadata: { tags: ['old'], description: 'kept' } });
    const updated = await w.update.execute({ caller: owner, fileId: file.id, originalName: '../secret/holiday.png', isPublic: true, metadata: { tags: ['new'] } });
    expect(updated).toMatchObject({ originalName: 'holiday.png', isPublic: true, metadata: { tags: ['new'], description: 'kept' }, filePath: file.filePath });
    expect(await w.files.findById(file.id)).toEqual(updated);
    expect(await w.hasObject(file)).toBe(true);
    expect(w.changes).toEqual([{ fileId: file.id, change: 'file_updated', rowExisted: true }]);
  });

  it('changes nothing that was not sent', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.stored(aFile().ownedBy(owner.userId).named('keep.png').tagged('a'));
    const updated = await w.update.execute({ caller: owner, fileId: file.id, isPublic: true });
    expect(updated).toMatchObject({ originalName: 'keep.png', metadata: { tags: ['a'] }, isPublic: true });
  });

  it('answers FileNotFound for another user\'s file, leaving it as it was and telling no one', async () => {
    const w = aWorld();
    const file = await w.stored(aFile().named('theirs.png'));
    await expect(w.update.execute({ caller: aCaller().build(), fileId: file.id, originalName: 'mine.png', isPublic: true })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(await w.files.findById(file.id)).toEqual(file);
    expect(w.changes).toEqual([]);
  });

  it('answers FileNotFound for a trashed file', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = await w.trashed(aFile().ownedBy(owner.userId));
    await expect(w.update.execute({ caller: owner, fileId: file.id, isPublic: true })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect((await w.files.findById(file.id))?.isPublic).toBe(false);
  });
});
