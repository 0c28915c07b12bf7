import { GetFile } from '../../../src/application/storage/files/get-file';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { storedFilesWorld } from '../../support/stored-files-world';

function aWorld() {
  const w = storedFilesWorld();
  return { ...w, getFile: new GetFile(w.files) };
}

describe('GetFile', () => {
  it('gives the owner the file with its extracted metadata and transformations', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const file = aFile().ownedBy(owner.userId).build();
    await w.files.insertWithinQuota(file, 1e9, [{ type: 'dimensions', data: { width: 3, height: 2 } }]);
    w.files.transformations.set(file.id, [{ id: 't', type: 'thumbnail_generation', status: 'queued', outputFileId: null }]);
    expect(await w.getFile.execute({ caller: owner, fileId: file.id })).toEqual({
      file,
      metadata: [{ type: 'dimensions', data: { width: 3, height: 2 } }],
      transformations: [{ id: 't', type: 'thumbnail_generation', status: 'queued', outputFileId: null }],
    });
  });

  it('answers FileNotFound for another user\'s file, for a trashed file and for an unknown id', async () => {
    const w = aWorld();
    const owner = aCaller().build();
    const theirs = await w.stored(aFile());
    const trashed = await w.trashed(aFile().ownedBy(owner.userId));
    for (const fileId of [theirs.id, trashed.id, '00000000-0000-4000-8000-000000000000']) {
      await expect(w.getFile.execute({ caller: owner, fileId })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', details: { file_id: fileId } });
    }
  });

  it('gives an admin any user\'s file', async () => {
    const w = aWorld();
    const file = await w.stored(aFile());
    expect((await w.getFile.execute({ caller: aCaller().withRole('admin').build(), fileId: file.id })).file).toEqual(file);
  });
});
