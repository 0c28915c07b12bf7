import { TransformationFailed } from '../../../src/domain/storage/errors';
import type { StoredFile } from '../../../src/domain/storage/stored-file';
import { aCaller } from '../../support/caller-builder';
import { aFile } from '../../support/file-builder';
import { transformationsWorld } from '../../support/transformations-world';

async function aWorld(options: Parameters<typeof transformationsWorld>[0] = {}) {
  const w = transformationsWorld(options);
  const owner = aCaller().build();
  const source = await w.stored(aFile().ownedBy(owner.userId).named('holiday.png'));
  /** Requests a resize of the source and returns its job, as the queue would deliver it. */
  const queued = async (extra: { outputName?: string; type?: string; parameters?: Record<string, unknown>; of?: StoredFile } = {}) => {
    const { transformation } = await w.request.execute({
      caller: owner,
      sourceFileId: (extra.of ?? source).id,
      type: extra.type ?? 'image_resize',
      parameters: extra.parameters ?? { width: 8, height: 8, format: 'png' },
      outputName: extra.outputName ?? null,
    });
    const payload = w.queue.enqueued.find((job) => job.id === transformation.id)!.payload;
    return { id: transformation.id, payload, attempt: 1, lastAttempt: false };
  };
  /** Every object key but the source's: what the job left in the store. */
  const outputs = () => w.store.keys().filter((key) => key !== source.filePath);
  return { ...w, owner, source, queued, outputs };
}

describe('RunTransformation', () => {
  it('stores the output as a new file of the source\'s owner and completes the job with it', async () => {
    const w = await aWorld();
    const job = await w.queued();
    w.image.before = async () => w.clock.advance(250);
    await w.run.execute(job);
    const done = await w.transformations.findById(job.id);
    expect(done).toMatchObject({ status: 'completed', progressPercent: 100, attempts: 1, processingTimeMs: 250, errorMessage: null });
    const output = await w.files.findById(done!.targetFileId!);
    expect(output).toMatchObject({
      userId: w.owner.userId,
      originalName: 'holiday_image_resize.png',
      mimeType: 'image/png',
      metadata: { transformation_id: job.id, source_file_id: w.source.id, transformation_type: 'image_resize' },
    });
    expect(w.image.operations).toEqual([{ width: 8, height: 8, format: 'png' }]);
    const bytes: Buffer[] = [];
    for await (const chunk of await w.store.get(output!.filePath)) bytes.push(chunk as Buffer);
    expect(Buffer.concat(bytes).equals(w.image.outputs[0]!)).toBe(true);
  });

  it('names the output as asked', async () => {
    const w = await aWorld();
    const job = await w.queued({ outputName: 'small.png' });
    await w.run.execute(job);
    const done = await w.transformations.findById(job.id);
    expect((await w.files.findById(done!.targetFileId!))?.originalName).toBe('small.png');
  });

  it('does nothing with a job cancelled before it started', async () => {
    const w = await aWorld();
    const job = await w.queued();
    await w.cancel.execute({ caller: w.owner, id: job.id });
    await w.run.execute(job);
    expect(w.image.operations).toEqual([]);
    expect(await w.transformations.statusOf(job.id)).toBe('cancelled');
    expect(w.outputs()).toEqual([]);
  });

  it('fails the job at once when the source has gone to the trash', async () => {
    const w = await aWorld();
    const job = await w.queued();
    await w.files.softDelete(w.source.id, w.clock.now());
    await w.run.execute(job);
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'failed', errorMessage: 'The source file no longer exists' });
    expect(w.image.operations).toEqual([]);
  });

  it('fails the job at once, storing nothing, when the engine says the input is bad', async () => {
    const w = await aWorld();
    const job = await w.queued();
    w.image.before = async () => {
      throw new TransformationFailed('Corrupt image');
    };
    await w.run.execute(job);
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'failed', errorMessage: 'Corrupt image', targetFileId: null });
    expect(w.outputs()).toEqual([]);
  });

  it('leaves an unexpected failure to the queue\'s retry, and fails the job on the last attempt', async () => {
    const w = await aWorld();
    const job = await w.queued();
    w.image.before = async () => {
      throw new Error('engine crashed');
    };
    await expect(w.run.execute(job)).rejects.toThrow('engine crashed');
    expect(await w.transformations.statusOf(job.id)).toBe('processing');
    await w.run.execute({ ...job, attempt: 2, lastAttempt: true });
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'failed', errorMessage: 'engine crashed', attempts: 2 });
    expect(w.outputs()).toEqual([]);
  });

  it('fails the job, leaving no object behind, when the output does not fit the owner\'s quota', async () => {
    // The source's row already takes 100 of the 150 bytes.
    const w = await aWorld({ quotaBytes: { user: 150, premium: null, admin: null } });
    const job = await w.queued();
    await w.run.execute(job);
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'failed', errorMessage: 'User storage quota exceeded' });
    expect(w.outputs()).toEqual([]);
  });

  it('reports a job that ran out of time as timed out on its last attempt, storing nothing', async () => {
    const w = await aWorld({ timeoutMs: 30 });
    const job = await w.queued();
    w.image.before = () => new Promise((resolve) => setTimeout(resolve, 120));
    await w.run.execute({ ...job, lastAttempt: true });
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/^Timed out after/) });
    expect(w.outputs()).toEqual([]);
  });

  it('stores nothing for a job cancelled while the engine works', async () => {
    const w = await aWorld();
    const job = await w.queued();
    w.image.before = async () => {
      await w.cancel.execute({ caller: w.owner, id: job.id });
      // Long enough for the worker's watch to see the cancel.
      await new Promise((resolve) => setTimeout(resolve, 30));
    };
    await w.run.execute(job);
    expect(await w.transformations.findById(job.id)).toMatchObject({ status: 'cancelled', targetFileId: null });
    expect(w.outputs()).toEqual([]);
  });

  it('removes the output stored in the instant the job was cancelled', async () => {
    const w = await aWorld();
    const job = await w.queued();
    const insert = w.files.insertWithinQuota.bind(w.files);
    w.files.insertWithinQuota = async (file, quota, metadata) => {
      const outcome = await insert(file, quota, metadata);
      await w.transformations.cancel(job.id, w.clock.now());
      return outcome;
    };
    await w.run.execute(job);
    expect(await w.transformations.statusOf(job.id)).toBe('cancelled');
    expect(w.outputs()).toEqual([]);
    expect((await w.files.list({ userId: w.owner.userId, sort: 'created_at', order: 'asc', page: 1, limit: 10 })).files.map((f) => f.id)).toEqual([w.source.id]);
  });

  it('extracts a document\'s text into a text file', async () => {
    const w = await aWorld();
    const pdf = await w.stored(aFile().ownedBy(w.owner.userId).named('report.pdf').ofType('application/pdf'));
    const job = await w.queued({ of: pdf, type: 'text_extraction', parameters: {} });
    await w.run.execute(job);
    const done = await w.transformations.findById(job.id);
    expect(done?.status).toBe('completed');
    expect(await w.files.findById(done!.targetFileId!)).toMatchObject({ originalName: 'report_text_extraction.txt', mimeType: 'text/plain', sizeBytes: 'extracted'.length });
  });
});
