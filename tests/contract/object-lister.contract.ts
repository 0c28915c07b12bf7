import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectLister } from '../../src/application/ports/object-lister.port';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { StagedLeftover, StagingLeftovers } from '../../src/application/ports/staging-leftovers.port';
import type { UploadStaging } from '../../src/application/ports/upload-staging.port';

export interface ObjectListerUnderTest {
  store: ObjectStore & UploadStaging & ObjectLister & StagingLeftovers;
  close(): Promise<void>;
}

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* once(bytes: Buffer): AsyncGenerator<Buffer> {
  yield bytes;
}

/**
 * What every store's listing promises (disk, S3, Azure, the in-memory fake), for the orphan sweep:
 * objects at valid keys with their size and time, never the staging internals; staged uploads listed
 * as leftovers carrying their upload's tag, removable, idempotently. `make` gives an empty store.
 */
export function objectListerContract(name: string, make: () => Promise<ObjectListerUnderTest>): void {
  describe(`${name} (ObjectLister and StagingLeftovers contract)`, () => {
    let s: ObjectListerUnderTest;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(() => s.close());

    it('lists the objects put, with size and time, by prefix; deleted ones go; staged bytes are never objects', async () => {
      const before = Date.now() - 5_000;
      const a = 'users/u1/projects/none/a_1.txt';
      const b = 'users/u1/projects/p1/b_2.bin';
      const c = 'backups/db/c.pgdump.vbk';
      await s.store.put(a, Readable.from([Buffer.from('hello')]), { contentType: 'text/plain' });
      await s.store.put(b, Readable.from([randomBytes(1000)]), { contentType: 'application/octet-stream' });
      await s.store.put(c, Readable.from([Buffer.from('x')]), { contentType: 'application/octet-stream' });
      const { uploadId } = await s.store.begin('users/u1/projects/none/staged_3.bin', 'application/octet-stream', { sizeBytes: 10, partSize: 10 });
      await s.store.write('users/u1/projects/none/staged_3.bin', uploadId, 0, once(Buffer.from('12345')));

      const listed = await all(s.store.list());
      expect(listed.map((o) => o.key).sort()).toEqual([c, a, b].sort());
      const objectA = listed.find((o) => o.key === a)!;
      expect(objectA.size).toBe(5);
      expect(listed.find((o) => o.key === b)!.size).toBe(1000);
      expect(objectA.lastModified.getTime()).toBeGreaterThan(before);
      expect(objectA.lastModified.getTime()).toBeLessThan(Date.now() + 5_000);

      expect((await all(s.store.list('users/u1/'))).map((o) => o.key).sort()).toEqual([a, b].sort());
      expect((await all(s.store.list('users/u1/projects/p1/'))).map((o) => o.key)).toEqual([b]);
      expect(await all(s.store.list('nothing/here/'))).toEqual([]);

      await s.store.delete(a);
      expect((await all(s.store.list())).map((o) => o.key).sort()).toEqual([c, b].sort());
      await s.store.abort('users/u1/projects/none/staged_3.bin', uploadId);
      await s.store.delete(b);
      await s.store.delete(c);
      expect(await all(s.store.list())).toEqual([]);
    }, 60_000);

    it('lists a staged upload as leftovers tagged with its upload, and removes them', async () => {
      const key = 'users/u2/projects/none/tus_4.bin';
      const { uploadId } = await s.store.begin(key, 'application/octet-stream', { sizeBytes: 1024, partSize: 1024 });
      await s.store.write(key, uploadId, 0, once(randomBytes(300)), { readBack: true });
      const other = await s.store.begin('users/u2/projects/none/tus_5.bin', 'application/octet-stream', { sizeBytes: 1024, partSize: 1024 });
      await s.store.write('users/u2/projects/none/tus_5.bin', other.uploadId, 0, once(randomBytes(100)));

      const tag = s.store.uploadTagOf(uploadId);
      expect(s.store.uploadTagOf(other.uploadId)).not.toBe(tag);
      const leftovers = await all(s.store.leftovers());
      const mine = leftovers.filter((l) => l.uploadTag === tag);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.every((l) => l.kind === 'staged_upload')).toBe(true);
      expect(leftovers.some((l) => l.uploadTag === s.store.uploadTagOf(other.uploadId))).toBe(true);
      for (const l of mine) expect(Math.abs(l.lastModified.getTime() - Date.now())).toBeLessThan(60_000);
      // None of it is an object.
      expect(await all(s.store.list())).toEqual([]);

      for (const l of mine) await s.store.removeLeftover(l);
      for (const l of mine) await s.store.removeLeftover(l);
      const after = await all(s.store.leftovers());
      expect(after.filter((l: StagedLeftover) => l.uploadTag === tag)).toEqual([]);
      // The other upload is untouched and still completes.
      await s.store.write('users/u2/projects/none/tus_5.bin', other.uploadId, 100, once(randomBytes(924)));
      await expect(s.store.complete('users/u2/projects/none/tus_5.bin', other.uploadId, 1024, 'application/octet-stream')).resolves.toEqual({ size: 1024 });
      expect((await all(s.store.leftovers())).filter((l) => l.uploadTag === s.store.uploadTagOf(other.uploadId))).toEqual([]);
      await s.store.delete('users/u2/projects/none/tus_5.bin');
    }, 60_000);
  });
}
