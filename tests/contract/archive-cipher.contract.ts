import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ArchiveCipher } from '../../src/application/ports/archive-cipher.port';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

/** Pieces of `data` of irregular sizes, as a process's stdout hands them over. */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 13) % 70_001 || 1) out.push(data.subarray(i, i + n));
  return out;
}

export async function roundTrip(cipher: ArchiveCipher, data: Buffer): Promise<{ stored: Buffer; back: Buffer }> {
  const stored = await collect(Readable.from(pieces(data)).pipe(cipher.encrypt()));
  const back = await collect(Readable.from(pieces(stored)).pipe(cipher.decrypt()));
  return { stored, back };
}

/**
 * What the backups expect of any cipher: streams in, streams out, and decrypting what it encrypted
 * gives the same bytes whatever the sizes; one that encrypts also refuses a truncated or altered input
 * (its stream fails, never ends cleanly) and shows nothing of the plaintext.
 */
export function archiveCipherContract(name: string, make: () => ArchiveCipher): void {
  describe(`${name} (ArchiveCipher contract)`, () => {
    it.each([0, 1, 5, 65_535, 65_536, 65_537, 300_000])('gives back %i bytes unchanged', async (size) => {
      const data = randomBytes(size);
      expect((await roundTrip(make(), data)).back.equals(data)).toBe(true);
    });

    it('streams 16 MiB through encrypt then decrypt, piece by piece', async () => {
      const cipher = make();
      let produced = 0;
      const source = new Readable({
        read() {
          if (produced >= 16 * 1024 * 1024) return this.push(null);
          produced += 256 * 1024;
          this.push(Buffer.alloc(256 * 1024, produced & 0xff));
        },
      });
      let received = 0;
      await pipeline(source, cipher.encrypt(), cipher.decrypt(), async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) received += chunk.length;
      });
      expect(received).toBe(16 * 1024 * 1024);
    });

    it('says whether it encrypts, and an encrypting one hides the plaintext and refuses damage', async () => {
      const cipher = make();
      const data = Buffer.concat([Buffer.from('PGDMP'), randomBytes(200_000)]);
      const { stored } = await roundTrip(cipher, data);
      if (!cipher.encrypts) {
        expect(stored.equals(data)).toBe(true);
        return;
      }
      expect(stored.includes(Buffer.from('PGDMP'))).toBe(false);
      const truncated = stored.subarray(0, stored.length - 100);
      await expect(collect(Readable.from([truncated]).pipe(make().decrypt()))).rejects.toThrow();
      const altered = Buffer.from(stored);
      altered[Math.floor(altered.length / 2)]! ^= 0x01;
      await expect(collect(Readable.from([altered]).pipe(make().decrypt()))).rejects.toThrow();
    });
  });
}
