import { AutoTransform } from '../../../src/application/storage/transform/auto-transform';
import type { Engines } from '../../../src/application/storage/transform/transform-plan';
import type { FileBuilder } from '../../support/file-builder';
import { aFile } from '../../support/file-builder';
import { transformationsWorld } from '../../support/transformations-world';
import { eventually } from '../../support/eventually';

const ENGINES: Engines = { media: false, text: { accepts: ['application/pdf'] }, pages: null };
const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function aWorld() {
  const w = transformationsWorld();
  const auto = new AutoTransform(w.request, () => ENGINES, w.logger);
  /** Stores the file, runs auto_transform on it, and answers the types it queued. */
  const after = async (builder: FileBuilder, expected: number) => {
    const file = await w.stored(builder);
    auto.execute(file, { userId: file.userId, role: 'user' });
    await eventually('the jobs', () => (w.queue.enqueued.length >= expected ? true : undefined), 2_000);
    await settle();
    return Promise.all(w.queue.enqueued.map(async (job) => (await w.transformations.findById(job.id))?.type));
  };
  return { ...w, after };
}

describe('AutoTransform', () => {
  it('queues a thumbnail for an image uploaded with auto_transform', async () => {
    const w = await aWorld();
    expect(await w.after(aFile().ofType('image/png').withMetadata({ auto_transform: true }), 1)).toEqual(['thumbnail_generation']);
  });

  it('queues text extraction for a document its engines read, and no page thumbnail without a renderer', async () => {
    const w = await aWorld();
    expect(await w.after(aFile().ofType('application/pdf').named('a.pdf').withMetadata({ auto_transform: true }), 1)).toEqual(['text_extraction']);
  });

  it('queues nothing without auto_transform, or for a kind it has no engine for', async () => {
    const w = await aWorld();
    expect(await w.after(aFile().ofType('image/png'), 0)).toEqual([]);
    expect(await w.after(aFile().ofType('video/mp4').named('v.mp4').withMetadata({ auto_transform: true }), 0)).toEqual([]);
  });

  it('never fails the upload: what cannot be queued is logged', async () => {
    const w = await aWorld();
    w.queue.refuse = true;
    await w.after(aFile().ofType('image/png').withMetadata({ auto_transform: true }), 0);
    await eventually('the warning', () => (w.logger.entries.some((e) => e.msg === 'auto_transform: could not queue') ? true : undefined), 2_000);
  });
});
