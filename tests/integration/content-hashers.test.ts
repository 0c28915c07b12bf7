import { randomBytes } from 'node:crypto';
import { InlineContentHasher } from '../../src/adapters/hashing/inline-content-hasher';
import { WorkerThreadContentHasher } from '../../src/adapters/hashing/worker-thread-content-hasher';
import { contentHasherContract, md5, MiB, sha256 } from '../contract/content-hasher.contract';

contentHasherContract('InlineContentHasher', async () => ({ hasher: new InlineContentHasher(), close: async () => undefined }));

contentHasherContract('WorkerThreadContentHasher', async () => {
  const hasher = new WorkerThreadContentHasher();
  return { hasher, close: () => hasher.close() };
});

describe('WorkerThreadContentHasher', () => {
  it('holds the caller back once its ring is full, instead of buffering', async () => {
    const hasher = new WorkerThreadContentHasher();
    try {
      const run = hasher.start();
      const chunk = randomBytes(256 * 1024);
      // Fed without waiting: the ring takes a few chunks, then update answers with a promise.
      const fed: Buffer[] = [];
      let held: Promise<void> | undefined;
      while (!held && fed.length < 64) {
        held = run.update(chunk);
        fed.push(chunk);
      }
      expect(held).toBeInstanceOf(Promise);
      expect(fed.length).toBeLessThanOrEqual(8);
      await held;
      const body = Buffer.concat(fed);
      expect(await run.digest()).toEqual({ md5: md5(body), sha256: sha256(body) });
    } finally {
      await hasher.close();
    }
  });

  it('fails a run in progress when closed, rather than leaving it hanging', async () => {
    const hasher = new WorkerThreadContentHasher();
    const run = hasher.start();
    await run.update(randomBytes(MiB));
    await hasher.close();
    await expect(run.digest()).rejects.toThrow(/closed/);
  });
});
