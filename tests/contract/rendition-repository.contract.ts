import { createHash } from 'node:crypto';
import type { ProductionLocks, Rendition, RenditionRepository } from '../../src/application/ports/rendition-repository.port';

export interface RenditionsUnderTest {
  renditions: RenditionRepository;
  locks: ProductionLocks;
  /** A stored file renditions may belong to; its id. */
  aFile(): Promise<string>;
  close?(): Promise<void>;
}

let counter = 0;

function aRendition(fileId: string, overrides: Partial<Rendition> = {}): Rendition {
  counter += 1;
  const key = createHash('sha256').update(`rendition ${counter} ${Math.random()}`).digest('hex');
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, counter % 60));
  return {
    fileId,
    key,
    parameters: `w=${counter}`,
    format: 'webp',
    objectKey: `renditions/${fileId}/${key}.webp`,
    sizeBytes: 100,
    width: 40,
    height: 30,
    encryption: null,
    createdAt: at,
    lastUsedAt: at,
    ...overrides,
  };
}

const minutes = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n));
const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * The rendition cache's index and its production locks: one row per (file, key), kept as first
 * saved; least recently used first; the bytes they take; one production per name at a time.
 */
export function renditionRepositoryContract(name: string, make: () => Promise<RenditionsUnderTest>): void {
  describe(`${name} (RenditionRepository and ProductionLocks contract)`, () => {
    let world: RenditionsUnderTest;
    beforeEach(async () => {
      world = await make();
    });
    afterEach(async () => {
      await world.close?.();
    });

    it('finds what was saved, with its encryption, and nothing under another key or file', async () => {
      const file = await world.aFile();
      const other = await world.aFile();
      const r = aRendition(file, { encryption: { keyId: 'k1', wrappedKey: 'd3JhcHBlZA==' }, format: 'avif', width: 400, height: 300 });
      await world.renditions.save(r);
      expect(await world.renditions.find(file, r.key)).toEqual(r);
      expect(await world.renditions.find(other, r.key)).toBeNull();
      expect(await world.renditions.find(file, 'f'.repeat(64))).toBeNull();
    });

    it('keeps the first save of a (file, key): a second is ignored', async () => {
      const file = await world.aFile();
      const r = aRendition(file);
      await world.renditions.save(r);
      await world.renditions.save({ ...r, sizeBytes: 999, objectKey: `${r.objectKey}.other` });
      expect(await world.renditions.find(file, r.key)).toMatchObject({ sizeBytes: 100, objectKey: r.objectKey });
      expect(await world.renditions.totalBytes()).toBe(100);
    });

    it('lists a file\'s renditions, removes one, and sums the bytes of all', async () => {
      const file = await world.aFile();
      const other = await world.aFile();
      const a = aRendition(file, { sizeBytes: 10 });
      const b = aRendition(file, { sizeBytes: 20 });
      const c = aRendition(other, { sizeBytes: 40 });
      for (const r of [a, b, c]) await world.renditions.save(r);
      expect((await world.renditions.ofFile(file)).map((r) => r.key).sort()).toEqual([a.key, b.key].sort());
      expect(await world.renditions.totalBytes()).toBe(70);
      await world.renditions.remove(file, a.key);
      expect((await world.renditions.ofFile(file)).map((r) => r.key)).toEqual([b.key]);
      expect(await world.renditions.totalBytes()).toBe(60);
      await world.renditions.remove(file, a.key);
      expect(await world.renditions.totalBytes()).toBe(60);
    });

    it('orders by last use, a touch moving one to the back, never back in time', async () => {
      const file = await world.aFile();
      const a = aRendition(file, { createdAt: minutes(1), lastUsedAt: minutes(1) });
      const b = aRendition(file, { createdAt: minutes(2), lastUsedAt: minutes(2) });
      const c = aRendition(file, { createdAt: minutes(3), lastUsedAt: minutes(3) });
      for (const r of [c, a, b]) await world.renditions.save(r);
      expect((await world.renditions.leastRecentlyUsed(10)).map((r) => r.key)).toEqual([a.key, b.key, c.key]);
      await world.renditions.touch(file, a.key, minutes(5));
      expect((await world.renditions.leastRecentlyUsed(2)).map((r) => r.key)).toEqual([b.key, c.key]);
      await world.renditions.touch(file, a.key, minutes(0));
      expect((await world.renditions.find(file, a.key))?.lastUsedAt).toEqual(minutes(5));
      expect(await world.renditions.leastRecentlyUsed(0)).toEqual([]);
    });

    it('runs one production per name at a time, others beside it, and frees the name when work throws', async () => {
      const order: string[] = [];
      const first = deferred();
      const started = deferred();
      const one = world.locks.exclusively('render a', async () => {
        order.push('a1 start');
        started.resolve();
        await first.promise;
        order.push('a1 end');
        return 1;
      });
      await started.promise;
      const two = world.locks.exclusively('render a', async () => {
        order.push('a2');
        return 2;
      });
      // Another name is not held up by the first.
      expect(await world.locks.exclusively('render b', async () => (order.push('b'), 3))).toBe(3);
      first.resolve();
      expect(await Promise.all([one, two])).toEqual([1, 2]);
      expect(order).toEqual(['a1 start', 'b', 'a1 end', 'a2']);

      await expect(world.locks.exclusively('render a', async () => Promise.reject(new Error('sharp failed')))).rejects.toThrow('sharp failed');
      expect(await world.locks.exclusively('render a', async () => 'free again')).toBe('free again');
    });

    it('records under the lock what the work saves, kept when it succeeds and dropped when it throws', async () => {
      const file = await world.aFile();
      const kept = aRendition(file, { sizeBytes: 30 });
      const dropped = aRendition(file, { sizeBytes: 50 });
      const result = await world.locks.exclusively(`render ${kept.key}`, async (held) => {
        expect(await held.find(file, kept.key)).toBeNull();
        await held.save(kept);
        await held.save({ ...kept, sizeBytes: 999 });
        // Seen under the lock at once, with the first save.
        expect(await held.find(file, kept.key)).toMatchObject({ key: kept.key, sizeBytes: 30 });
        return 'done';
      });
      expect(result).toBe('done');
      expect(await world.renditions.find(file, kept.key)).toEqual(kept);
      // A row saved before is found under the lock too.
      await world.locks.exclusively(`render ${kept.key}`, async (held) => expect(await held.find(file, kept.key)).toEqual(kept));

      await expect(world.locks.exclusively(`render ${dropped.key}`, async (held) => {
        await held.save(dropped);
        throw new Error('store failed');
      })).rejects.toThrow('store failed');
      expect(await world.renditions.find(file, dropped.key)).toBeNull();
      expect(await world.renditions.totalBytes()).toBe(30);
    });
  });
}
