import type { TransformationRequest } from '../../../src/application/storage/transform/request-transformation';
import type { Caller } from '../../../src/domain/auth/caller';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { transformationsWorld } from '../../support/transformations-world';

const RESIZE = { type: 'image_resize', parameters: { width: 8, height: 8, format: 'png' }, outputName: null };
type Asked = Partial<Pick<TransformationRequest, 'type' | 'parameters' | 'outputName' | 'sourceFileId'>>;

async function aWorld() {
  const w = transformationsWorld();
  const owner = aCaller().build();
  const source = await w.stored(aFile().ownedBy(owner.userId));
  const ask = (caller: Caller, extra: Asked = {}) => w.request.execute({ caller, sourceFileId: source.id, ...RESIZE, ...extra });
  return { ...w, owner, source, ask };
}

describe('RequestTransformation', () => {
  it('writes a queued row owned by the source\'s owner, then the job, and says where it stands', async () => {
    const w = await aWorld();
    const { transformation, queuePosition, estimatedCompletion } = await w.ask(w.owner);
    expect(await w.transformations.findById(transformation.id)).toEqual({
      ...transformation,
      sourceFileId: w.source.id,
      userId: w.owner.userId,
      status: 'queued',
      attempts: 0,
      createdAt: w.clock.now(),
    });
    expect(w.queue.enqueued).toEqual([{ id: transformation.id, payload: { ownerRole: 'user' } }]);
    expect(queuePosition).toBe(1);
    // Image work: 5 s a job, two workers.
    expect(estimatedCompletion).toEqual(new Date(w.clock.now().getTime() + 5_000));
  });

  it('counts the jobs queued before, in waves of the worker count', async () => {
    const w = await aWorld();
    await w.ask(w.owner);
    w.clock.advance(1);
    expect((await w.ask(w.owner)).queuePosition).toBe(2);
    w.clock.advance(1);
    const third = await w.ask(w.owner);
    expect(third.queuePosition).toBe(3);
    expect(third.estimatedCompletion).toEqual(new Date(third.transformation.createdAt.getTime() + 10_000));
  });

  it('answers FileNotFound for another user\'s file, and queues nothing', async () => {
    const w = await aWorld();
    await expect(w.ask(aCaller().build())).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    expect(w.queue.enqueued).toEqual([]);
    expect((await w.ask(w.owner)).queuePosition).toBe(1);
  });

  it('queues an admin\'s job on another user\'s file under the owner, at the user quota', async () => {
    const w = await aWorld();
    const { transformation } = await w.ask(aCaller().withRole('admin').build());
    expect(transformation.userId).toBe(w.owner.userId);
    expect(w.queue.enqueued[0]?.payload).toEqual({ ownerRole: 'user' });
  });

  it.each<[string, Asked, string]>([
    ['a combination outside the matrix', { type: 'video_resize' }, 'UNSUPPORTED_TRANSFORMATION'],
    ['parameters that make no sense', { parameters: { width: -3 } }, 'VALIDATION_ERROR'],
    ['an unknown type', { type: 'teleport' }, 'VALIDATION_ERROR'],
  ])('refuses %s before anything is queued', async (_name, extra, code) => {
    const w = await aWorld();
    await expect(w.ask(w.owner, extra)).rejects.toMatchObject({ code });
    expect(w.queue.enqueued).toEqual([]);
    expect((await w.ask(w.owner)).queuePosition).toBe(1);
  });

  it('marks the row failed when the job cannot be queued, so no row waits for a job that does not exist', async () => {
    const w = await aWorld();
    w.queue.refuse = true;
    const ids: string[] = [];
    const insert = w.transformations.insert.bind(w.transformations);
    w.transformations.insert = async (t) => {
      ids.push(t.id);
      await insert(t);
    };
    await expect(w.ask(w.owner)).rejects.toThrow('queue unavailable');
    expect(await w.transformations.findById(ids[0]!)).toMatchObject({ status: 'failed', errorMessage: 'The job could not be queued' });
  });
});
