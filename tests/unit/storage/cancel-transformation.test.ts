import { aCaller } from '../../support/caller-builder';
import { aRequestedResize } from '../../support/transformations-world';

describe('CancelTransformation', () => {
  it('cancels a queued job: the row at once, and the job in the queue', async () => {
    const w = await aRequestedResize();
    w.clock.advance(1_000);
    const cancelled = await w.cancel.execute({ caller: w.owner, id: w.transformation.id });
    expect(cancelled).toMatchObject({ id: w.transformation.id, status: 'cancelled', completedAt: w.clock.now() });
    expect(await w.transformations.statusOf(w.transformation.id)).toBe('cancelled');
    expect(w.queue.cancelled).toEqual([w.transformation.id]);
  });

  it('cancels a job that is running', async () => {
    const w = await aRequestedResize();
    await w.transformations.start(w.transformation.id, w.clock.now());
    expect((await w.cancel.execute({ caller: w.owner, id: w.transformation.id })).status).toBe('cancelled');
  });

  it('refuses to cancel a finished job with a Conflict naming its status, and leaves the queue alone', async () => {
    const w = await aRequestedResize();
    await w.run.execute(w.job);
    await expect(w.cancel.execute({ caller: w.owner, id: w.transformation.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { transformation_id: w.transformation.id, status: 'completed' },
    });
    expect(await w.transformations.statusOf(w.transformation.id)).toBe('completed');
    expect(w.queue.cancelled).toEqual([]);
  });

  it('answers another user as for an unknown id, and the job goes on', async () => {
    const w = await aRequestedResize();
    await expect(w.cancel.execute({ caller: aCaller().build(), id: w.transformation.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await w.transformations.statusOf(w.transformation.id)).toBe('queued');
    expect(w.queue.cancelled).toEqual([]);
  });

  it('lets an admin cancel another user\'s job', async () => {
    const w = await aRequestedResize();
    await w.cancel.execute({ caller: aCaller().withRole('admin').build(), id: w.transformation.id });
    expect(await w.transformations.statusOf(w.transformation.id)).toBe('cancelled');
  });
});
