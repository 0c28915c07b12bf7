import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ChunkedUploads, ObjectStore, ObjectUrlSigner } from '../../src/application/ports/object-store.port';
import { FileNotFound, RangeNotSatisfiable } from '../../src/domain/storage/errors';

export interface ObjectStoreUnderTest {
  store: ObjectStore;
  /** Providers still on the numbered-chunk staging (UploadStaging has its own contract). */
  chunks?: ChunkedUploads;
  /** Only for providers whose signed URLs a plain fetch() can follow (Azure SAS, S3 presigned). */
  fetchableSigner?: ObjectUrlSigner;
  /** A signer whose URLs lead nowhere fetch() can go (the in-memory fake): only what a URL is gets checked. */
  signer?: ObjectUrlSigner;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;

async function bytesOf(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** `size` bytes of noise in 64 KiB pieces, with the sha256 of what was generated. */
function noise(size: number): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  function* pieces() {
    for (let left = size; left > 0; left -= 64 * 1024) {
      const piece = randomBytes(Math.min(left, 64 * 1024));
      hash.update(piece);
      yield piece;
    }
  }
  return { stream: Readable.from(pieces()), sha256: () => hash.digest('hex') };
}

/** Gives half of `size` bytes, then fails, as a client that drops the connection mid-upload. */
function failingHalfWay(size: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= size / 2) return this.destroy(new Error('client went away'));
      sent += 64 * 1024;
      this.push(randomBytes(64 * 1024));
    },
  });
}

/**
 * What every ObjectStore, ChunkedUploads and ObjectUrlSigner promises, disk, Azure, S3 or the
 * in-memory fake (the disk has no signer: the service signs its own URLs). `make` gives a store whose
 * keys no other test uses.
 */
export function objectStoreContract(name: string, make: () => Promise<ObjectStoreUnderTest>): void {
  describe(`${name} (ObjectStore contract)`, () => {
    let s: ObjectStoreUnderTest;
    let store: ObjectStore;
    const key = (leaf: string) => `users/u1/projects/p1/${leaf}`;
    beforeAll(async () => {
      s = await make();
      store = s.store;
    });
    afterAll(() => s.close());

    it('stores, reads back, describes and deletes an object', async () => {
      await expect(store.put(key('a.txt'), Readable.from([Buffer.from('hello world')]), { contentType: 'text/plain' })).resolves.toEqual({ size: 11 });
      expect((await bytesOf(await store.get(key('a.txt')))).toString()).toBe('hello world');
      const info = await store.head(key('a.txt'));
      expect(info?.size).toBe(11);
      expect([null, 'text/plain']).toContain(info?.contentType);
      await store.delete(key('a.txt'));
      await expect(store.head(key('a.txt'))).resolves.toBeNull();
    });

    it('answers ping, and deleting a missing key is not an error', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await expect(store.delete(key('never-there.bin'))).resolves.toBeUndefined();
    });

    it('replaces an object put twice under one key', async () => {
      await store.put(key('b.txt'), Readable.from([Buffer.from('first version')]), { contentType: 'text/plain' });
      await store.put(key('b.txt'), Readable.from([Buffer.from('second')]), { contentType: 'text/plain' });
      expect((await bytesOf(await store.get(key('b.txt')))).toString()).toBe('second');
      expect((await store.head(key('b.txt')))?.size).toBe(6);
    });

    it('reads byte ranges, the last byte included, and clamps an end beyond the object', async () => {
      await store.put(key('r.txt'), Readable.from([Buffer.from('0123456789')]), { contentType: 'text/plain' });
      expect((await bytesOf(await store.get(key('r.txt'), { start: 2, end: 4 }))).toString()).toBe('234');
      expect((await bytesOf(await store.get(key('r.txt'), { start: 9, end: 9 }))).toString()).toBe('9');
      expect((await bytesOf(await store.get(key('r.txt'), { start: 7, end: 100 }))).toString()).toBe('789');
    });

    it('says RangeNotSatisfiable for a range that starts beyond the last byte', async () => {
      await store.put(key('short.txt'), Readable.from([Buffer.from('0123')]), { contentType: 'text/plain' });
      await expect(store.get(key('short.txt'), { start: 4, end: 10 })).rejects.toBeInstanceOf(RangeNotSatisfiable);
    });

    it('says FileNotFound for a missing key, on get and ranged get; head answers null', async () => {
      await expect(store.get(key('missing.bin'))).rejects.toBeInstanceOf(FileNotFound);
      await expect(store.get(key('missing.bin'), { start: 0, end: 1 })).rejects.toBeInstanceOf(FileNotFound);
      await expect(store.head(key('missing.bin'))).resolves.toBeNull();
    });

    it('refuses keys that could escape the store', async () => {
      for (const bad of ['../outside.txt', 'users/../../etc/passwd', '/abs.txt', 'a//b', '.uploads/x', 'a\u0000b']) {
        await expect(store.put(bad, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toThrow();
      }
    });

    it('streams a multi-megabyte body whose bytes round-trip exactly, and serves a range from inside it', async () => {
      const body = noise(12 * MiB + 123);
      await expect(store.put(key('big.bin'), body.stream, { contentType: 'application/octet-stream' })).resolves.toEqual({ size: 12 * MiB + 123 });
      const back = await bytesOf(await store.get(key('big.bin')));
      expect(createHash('sha256').update(back).digest('hex')).toBe(body.sha256());
      const middle = await bytesOf(await store.get(key('big.bin'), { start: 7 * MiB, end: 7 * MiB + 99 }));
      expect(middle.equals(back.subarray(7 * MiB, 7 * MiB + 100))).toBe(true);
    }, 60_000);

    it('leaves no object when the body fails half-way, small or past a multipart part', async () => {
      for (const size of [2 * MiB, 14 * MiB]) {
        await expect(store.put(key(`cut-${size}.bin`), failingHalfWay(size), { contentType: 'application/octet-stream' })).rejects.toThrow('client went away');
        await expect(store.head(key(`cut-${size}.bin`))).resolves.toBeNull();
      }
    }, 60_000);

    it('keeps the previous version when a replacing put fails', async () => {
      await store.put(key('kept.txt'), Readable.from([Buffer.from('previous')]), { contentType: 'text/plain' });
      await expect(store.put(key('kept.txt'), failingHalfWay(14 * MiB), { contentType: 'text/plain' })).rejects.toThrow('client went away');
      expect((await bytesOf(await store.get(key('kept.txt')))).toString()).toBe('previous');
    }, 60_000);

    describe('chunked uploads', () => {
      const chunked = () => s.chunks!;
      const maybe = (title: string, fn: () => Promise<void>, timeout?: number) => it(title, async () => (s.chunks ? fn() : undefined), timeout);
      maybe('assembles chunks sent out of order, one of them twice, in index order', async () => {
        const { uploadId } = await chunked().begin(key('c.txt'), 'text/plain');
        await chunked().putChunk(key('c.txt'), uploadId, 2, Buffer.from('cc'));
        await chunked().putChunk(key('c.txt'), uploadId, 0, Buffer.from('aa'));
        await chunked().putChunk(key('c.txt'), uploadId, 1, Buffer.from('XX'));
        await chunked().putChunk(key('c.txt'), uploadId, 1, Buffer.from('bb'));
        await expect(chunked().complete(key('c.txt'), uploadId, 3, 'text/plain')).resolves.toEqual({ size: 6 });
        expect((await bytesOf(await store.get(key('c.txt')))).toString()).toBe('aabbcc');
      });

      maybe('assembles small chunks into an object larger than S3 part minimum, bytes intact', async () => {
        const chunks = Array.from({ length: 7 }, () => randomBytes(MiB));
        const { uploadId } = await chunked().begin(key('many.bin'), 'application/octet-stream');
        await Promise.all(chunks.map((chunk, i) => chunked().putChunk(key('many.bin'), uploadId, i, chunk)).reverse());
        await expect(chunked().complete(key('many.bin'), uploadId, 7, 'application/octet-stream')).resolves.toEqual({ size: 7 * MiB });
        const back = await bytesOf(await store.get(key('many.bin')));
        expect(back.equals(Buffer.concat(chunks))).toBe(true);
      }, 60_000);

      maybe('refuses to complete while a chunk is missing', async () => {
        const { uploadId } = await chunked().begin(key('gap.bin'), 'application/octet-stream');
        await chunked().putChunk(key('gap.bin'), uploadId, 0, Buffer.from('a'));
        await chunked().putChunk(key('gap.bin'), uploadId, 2, Buffer.from('c'));
        await expect(chunked().complete(key('gap.bin'), uploadId, 3, 'application/octet-stream')).rejects.toBeInstanceOf(FileNotFound);
        await expect(store.head(key('gap.bin'))).resolves.toBeNull();
        await chunked().abort(key('gap.bin'), uploadId);
      });

      maybe('leaves nothing after abort, and abort twice is fine', async () => {
        const { uploadId } = await chunked().begin(key('gone.bin'), 'application/octet-stream');
        await chunked().putChunk(key('gone.bin'), uploadId, 0, Buffer.from('a'));
        await chunked().abort(key('gone.bin'), uploadId);
        await chunked().abort(key('gone.bin'), uploadId);
        await expect(store.head(key('gone.bin'))).resolves.toBeNull();
      });
    });

    it('signs an absolute URL of its own for each key, and refuses keys that could escape the store', async () => {
      const signer = s.fetchableSigner ?? s.signer;
      if (!signer) return;
      const a = new URL(await signer.signedUrl(key('one.txt'), { expiresInSeconds: 60 }));
      const b = new URL(await signer.signedUrl(key('two.txt'), { expiresInSeconds: 60 }));
      expect(['http:', 'https:']).toContain(a.protocol);
      expect(a.toString()).not.toBe(b.toString());
      for (const bad of ['../outside.txt', 'users/../../etc/passwd', '/abs.txt']) {
        await expect(signer.signedUrl(bad, { expiresInSeconds: 60 })).rejects.toThrow();
      }
    });

    it('signs URLs whose download answers with the asked Content-Type', async () => {
      if (!s.fetchableSigner) return;
      await store.put(key('typed.bin'), Readable.from([Buffer.from('typed bytes')]), { contentType: 'application/octet-stream' });
      const url = await s.fetchableSigner.signedUrl(key('typed.bin'), { expiresInSeconds: 60, contentType: 'text/markdown' });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('typed bytes');
      expect(response.headers.get('content-type')).toBe('text/markdown');
    });

    it('signs URLs that stop working once they expire', async () => {
      if (!s.fetchableSigner) return;
      await store.put(key('brief.txt'), Readable.from([Buffer.from('brief')]), { contentType: 'text/plain' });
      const url = await s.fetchableSigner.signedUrl(key('brief.txt'), { expiresInSeconds: 1 });
      await new Promise((r) => setTimeout(r, 2_500));
      const response = await fetch(url);
      await response.arrayBuffer();
      expect(response.status).toBe(403);
    }, 10_000);

    it('signs URLs that a plain fetch() can download, with the asked Content-Disposition', async () => {
      if (!s.fetchableSigner) return;
      await store.put(key('signed.txt'), Readable.from([Buffer.from('signed bytes')]), { contentType: 'text/plain' });
      const url = await s.fetchableSigner.signedUrl(key('signed.txt'), { expiresInSeconds: 60, contentDisposition: 'attachment; filename="s.txt"' });
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('signed bytes');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="s.txt"');
    });
  });
}
