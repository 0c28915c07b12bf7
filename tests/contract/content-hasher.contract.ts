import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ContentHasher } from '../../src/application/ports/content-hasher.port';
import { SNIFF_BYTES } from '../../src/application/ports/content-sniffer.port';
import { HashingMeter } from '../../src/application/storage/uploads/hashing-meter';

export interface ContentHasherUnderTest {
  hasher: ContentHasher;
  /** Releases what the hasher holds (threads); called once after the suite. */
  close(): Promise<void>;
}

export const MiB = 1024 * 1024;
export const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** `bytes` cut into chunks of uneven sizes (1 byte to 200 KiB), so chunks straddle the hasher's slots. */
function unevenChunks(bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  let i = 0;
  const sizes = [1, 65_536, 17, 200 * 1024, 4096, 1_000_003 % (150 * 1024), 99];
  while (at < bytes.length) {
    const n = Math.min(sizes[i++ % sizes.length]!, bytes.length - at);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

async function feed(hasher: ContentHasher, chunks: Buffer[]): Promise<{ md5: string; sha256: string }> {
  const run = hasher.start();
  for (const chunk of chunks) await run.update(chunk);
  return run.digest();
}

/** What every ContentHasher promises, on the event loop or on threads: the digests of exactly the bytes fed, run by run. */
export function contentHasherContract(name: string, make: () => Promise<ContentHasherUnderTest>): void {
  describe(`${name} (ContentHasher contract)`, () => {
    let subject: ContentHasherUnderTest;
    let hasher: ContentHasher;
    beforeAll(async () => {
      subject = await make();
      hasher = subject.hasher;
    });
    afterAll(() => subject.close());

    it('digests every byte of a multi-MiB body fed in uneven chunks', async () => {
      const body = randomBytes(9 * MiB + 12_345);
      expect(await feed(hasher, unevenChunks(body))).toEqual({ md5: md5(body), sha256: sha256(body) });
    });

    it('digests an empty body and a one-byte body', async () => {
      expect(await feed(hasher, [])).toEqual({ md5: md5(Buffer.alloc(0)), sha256: sha256(Buffer.alloc(0)) });
      expect(await feed(hasher, [Buffer.from('x')])).toEqual({ md5: md5(Buffer.from('x')), sha256: sha256(Buffer.from('x')) });
    });

    it('keeps concurrent runs apart', async () => {
      const bodies = [randomBytes(5 * MiB + 1), randomBytes(3 * MiB - 7), randomBytes(6 * MiB)];
      const digests = await Promise.all(bodies.map((b) => feed(hasher, unevenChunks(b))));
      expect(digests).toEqual(bodies.map((b) => ({ md5: md5(b), sha256: sha256(b) })));
    });

    it('lets a chunk be reused once update has taken it', async () => {
      const run = hasher.start();
      const scratch = Buffer.alloc(300 * 1024);
      const whole: Buffer[] = [];
      for (let i = 0; i < 40; i++) {
        scratch.fill(i);
        whole.push(Buffer.from(scratch));
        await run.update(scratch);
      }
      const body = Buffer.concat(whole);
      expect(await run.digest()).toEqual({ md5: md5(body), sha256: sha256(body) });
    });

    it('after an aborted run, the next runs are still right', async () => {
      const aborted = hasher.start();
      await aborted.update(randomBytes(2 * MiB + 5));
      aborted.abort();
      const body = randomBytes(3 * MiB + 3);
      expect(await feed(hasher, unevenChunks(body))).toEqual({ md5: md5(body), sha256: sha256(body) });
    });

    it('through HashingMeter: the stream passes every byte on and ends with the digests, head and size', async () => {
      const body = Buffer.concat([Buffer.from('plain text head\n'.repeat(600)), randomBytes(7 * MiB + 333)]);
      const meter = new HashingMeter(Number.MAX_SAFE_INTEGER, hasher);
      const received: Buffer[] = [];
      // A slow sink: the meter must hold the source back rather than buffer ahead of it.
      const sink = new Writable({
        highWaterMark: 64 * 1024,
        write: (chunk: Buffer, _encoding, callback) => {
          received.push(chunk);
          setImmediate(callback);
        },
      });
      await pipeline(Readable.from(unevenChunks(body), { objectMode: false }), meter, sink);
      expect(Buffer.concat(received).equals(body)).toBe(true);
      expect(meter.result()).toEqual({ sizeBytes: body.length, checksumMd5: md5(body), checksumSha256: sha256(body), head: body.subarray(0, SNIFF_BYTES) });
    });
  });
}
