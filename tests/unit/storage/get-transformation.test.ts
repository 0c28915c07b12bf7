import { aCaller } from '../../support/caller-builder';
import { aRequestedResize } from '../../support/transformations-world';

describe('GetTransformation', () => {
  it('gives the owner a queued job, with no output yet', async () => {
    const w = await aRequestedResize();
    expect(await w.get.execute({ caller: w.owner, id: w.transformation.id })).toEqual({ transformation: w.transformation, outputFile: null });
  });

  it('gives a completed job with its output file', async () => {
    const w = await aRequestedResize();
    await w.run.execute(w.job);
    const { transformation, outputFile } = await w.get.execute({ caller: w.owner, id: w.transformation.id });
    expect(transformation.status).toBe('completed');
    expect(outputFile).toEqual(await w.files.findById(transformation.targetFileId!));
    expect(outputFile?.userId).toBe(w.owner.userId);
  });

  it('answers another user as for an unknown id', async () => {
    const w = await aRequestedResize();
    const error = { code: 'NOT_FOUND', details: { transformation_id: w.transformation.id } };
    await expect(w.get.execute({ caller: aCaller().build(), id: w.transformation.id })).rejects.toMatchObject(error);
    await expect(w.get.execute({ caller: w.owner, id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('lets an admin read any job', async () => {
    const w = await aRequestedResize();
    expect((await w.get.execute({ caller: aCaller().withRole('admin').build(), id: w.transformation.id })).transformation.id).toBe(w.transformation.id);
  });
});
