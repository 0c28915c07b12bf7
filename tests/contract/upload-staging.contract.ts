import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ObjectStore } from '../../src/application/ports/object-store.port';
import type { UploadStaging } from '../../src/application/ports/upload-staging.port';
import { FileNotFound } from '../../src/domain/storage/errors';

export interface UploadStagingUnderTest {
  staging: UploadStaging;
  /** Where completed uploads land. */
  store: ObjectStore;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** `bytes` in 64 KiB pieces, as a request body arrives. */
async function* pieces(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
}

/** Half of `bytes`, then a failure, as a client that drops the connection. */
async function* failingHalfWay(bytes: Buffer): AsyncGenerator<Buffer> {
  yield* pieces(bytes.subarray(0, Math.floor(bytes.length / 2)));
  throw new Error('client went away');
}

/**
 * What every UploadStaging promises (disk, S3, Azure, the in-memory fake): bytes written in place at
 * their offset, tus appends of any length one after the other or whole parts in any order, completed
 * into the object without a copy through the service. `make` gives a staging whose keys no other test uses.
 */
export function uploadStagingContract(name: string, make: () => Promise<UploadStagingUnderTest>): void {
  describe(`${name} (UploadStaging contract)`, () => {
    let s: UploadStagingUnderTest;
    const key = (leaf: string) => `users/u1/projects/p1/staged-${leaf}`;
    beforeAll(async () => {
      s = await make();
    });
    afterAll(() => s.close());

    it('appends of any length one after the other, completed into the object, bytes intact', async () => {
      const content = randomBytes(12 * MiB + 321);
      const cuts = [0, 1, 3 * MiB + 7, 5 * MiB, 11 * MiB + 5, content.length];
      const { uploadId } = await s.staging.begin(key('tus.bin'), 'application/octet-stream', { sizeBytes: content.length, partSize: 5 * MiB });
      for (let i = 1; i < cuts.length; i++) {
        const part = content.subarray(cuts[i - 1], cuts[i]);
        await expect(s.staging.write(key('tus.bin'), uploadId, cuts[i - 1]!, pieces(part))).resolves.toEqual({ bytes: part.length });
      }
      await expect(s.store.head(key('tus.bin'))).resolves.toBeNull();
      await expect(s.staging.complete(key('tus.bin'), uploadId, content.length, 'application/octet-stream')).resolves.toEqual({ size: content.length });
      expect(sha256(await bytesOf(await s.store.get(key('tus.bin'))))).toBe(sha256(content));
    }, 60_000);

    it('whole parts in any order and in parallel, a short last one, read back where asked', async () => {
      const partSize = 5 * MiB;
      const content = randomBytes(3 * partSize + 1000);
      const { uploadId } = await s.staging.begin(key('parts.bin'), 'application/octet-stream', { sizeBytes: content.length, partSize });
      const part = (i: number) => content.subarray(i * partSize, (i + 1) * partSize);
      await Promise.all([3, 1, 2].map((i) => s.staging.write(key('parts.bin'), uploadId, i * partSize, pieces(part(i)), { readBack: true })));
      const back = await bytesOf(await s.staging.read(key('parts.bin'), uploadId, { start: partSize, end: 2 * partSize - 1 }));
      expect(back.equals(part(1))).toBe(true);
      await s.staging.write(key('parts.bin'), uploadId, 0, pieces(part(0)));
      await s.staging.complete(key('parts.bin'), uploadId, content.length, 'application/octet-stream');
      expect(sha256(await bytesOf(await s.store.get(key('parts.bin'))))).toBe(sha256(content));
    }, 60_000);

    it('small parts (the seed allows 256 KiB chunks) in reverse order', async () => {
      const partSize = 256 * 1024;
      const content = randomBytes(7 * partSize + 5);
      const { uploadId } = await s.staging.begin(key('small.bin'), 'application/octet-stream', { sizeBytes: content.length, partSize });
      for (let i = 7; i >= 0; i--) {
        await s.staging.write(key('small.bin'), uploadId, i * partSize, pieces(content.subarray(i * partSize, (i + 1) * partSize)), { readBack: i > 0 });
      }
      await s.staging.complete(key('small.bin'), uploadId, content.length, 'application/octet-stream');
      expect(sha256(await bytesOf(await s.store.get(key('small.bin'))))).toBe(sha256(content));
    }, 60_000);

    it('a part written again replaces it', async () => {
      const { uploadId } = await s.staging.begin(key('again.txt'), 'text/plain', { sizeBytes: 6, partSize: 2 });
      await s.staging.write(key('again.txt'), uploadId, 2, pieces(Buffer.from('XX')));
      await s.staging.write(key('again.txt'), uploadId, 4, pieces(Buffer.from('cc')));
      await s.staging.write(key('again.txt'), uploadId, 0, pieces(Buffer.from('aa')));
      await s.staging.write(key('again.txt'), uploadId, 2, pieces(Buffer.from('bb')));
      await s.staging.complete(key('again.txt'), uploadId, 6, 'text/plain');
      expect((await bytesOf(await s.store.get(key('again.txt')))).toString()).toBe('aabbcc');
    });

    it('a write whose body fails rejects with its error, leaves the bytes before it, and can be written again', async () => {
      const content = randomBytes(6 * MiB);
      const { uploadId } = await s.staging.begin(key('cut.bin'), 'application/octet-stream', { sizeBytes: content.length, partSize: 5 * MiB });
      await s.staging.write(key('cut.bin'), uploadId, 0, pieces(content.subarray(0, 2 * MiB)));
      await expect(s.staging.write(key('cut.bin'), uploadId, 2 * MiB, failingHalfWay(content.subarray(2 * MiB)))).rejects.toThrow('client went away');
      await expect(s.store.head(key('cut.bin'))).resolves.toBeNull();
      await s.staging.write(key('cut.bin'), uploadId, 2 * MiB, pieces(content.subarray(2 * MiB)));
      await s.staging.complete(key('cut.bin'), uploadId, content.length, 'application/octet-stream');
      expect(sha256(await bytesOf(await s.store.get(key('cut.bin'))))).toBe(sha256(content));
    }, 60_000);

    it('an empty upload completes into an empty object', async () => {
      const { uploadId } = await s.staging.begin(key('empty.bin'), 'application/octet-stream', { sizeBytes: 0, partSize: 5 * MiB });
      await s.staging.write(key('empty.bin'), uploadId, 0, pieces(Buffer.alloc(0)));
      await expect(s.staging.complete(key('empty.bin'), uploadId, 0, 'application/octet-stream')).resolves.toEqual({ size: 0 });
      expect((await s.store.head(key('empty.bin')))?.size).toBe(0);
    });

    it('leaves nothing after abort, abort twice is fine, and an aborted upload cannot complete', async () => {
      const { uploadId } = await s.staging.begin(key('gone.bin'), 'application/octet-stream', { sizeBytes: 1, partSize: 5 * MiB });
      await s.staging.write(key('gone.bin'), uploadId, 0, pieces(Buffer.from('a')));
      await s.staging.abort(key('gone.bin'), uploadId);
      await s.staging.abort(key('gone.bin'), uploadId);
      await expect(s.staging.complete(key('gone.bin'), uploadId, 1, 'application/octet-stream')).rejects.toBeInstanceOf(FileNotFound);
      await expect(s.store.head(key('gone.bin'))).resolves.toBeNull();
    });
  });
}
