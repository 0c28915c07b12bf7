import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AesGcmArchiveCipher } from '../../src/adapters/crypto/aes-gcm-archive-cipher';
import { PlainArchiveCipher } from '../../src/adapters/crypto/plain-archive-cipher';
import { archiveCipherContract, roundTrip } from '../contract/archive-cipher.contract';

const key = randomBytes(32);
archiveCipherContract('AesGcmArchiveCipher', () => new AesGcmArchiveCipher(key));
archiveCipherContract('PlainArchiveCipher', () => new PlainArchiveCipher());

async function decrypt(cipher: AesGcmArchiveCipher, bytes: Buffer): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of Readable.from([bytes]).pipe(cipher.decrypt())) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

describe('AesGcmArchiveCipher format', () => {
  const cipher = new AesGcmArchiveCipher(key);

  it('refuses a 16-byte or 64-byte key', () => {
    expect(() => new AesGcmArchiveCipher(randomBytes(16))).toThrow(/32-byte key/);
    expect(() => new AesGcmArchiveCipher(randomBytes(64))).toThrow(/32-byte key/);
  });

  it('refuses another key, an object cut at a chunk boundary, reordered chunks and trailing bytes', async () => {
    const data = randomBytes(3 * 65_536 + 10);
    const { stored } = await roundTrip(cipher, data);
    await expect(decrypt(new AesGcmArchiveCipher(randomBytes(32)), stored)).rejects.toThrow(/fails authentication/);
    // header (24) + first full chunk (17 + 65536 + 16): a clean cut after it is still a truncation.
    const firstChunkEnd = 24 + 17 + 65_536 + 16;
    await expect(decrypt(cipher, stored.subarray(0, firstChunkEnd))).rejects.toThrow(/truncated/);
    const second = stored.subarray(firstChunkEnd, firstChunkEnd * 2 - 24);
    const swapped = Buffer.concat([stored.subarray(0, 24), second, stored.subarray(24, firstChunkEnd), stored.subarray(firstChunkEnd * 2 - 24)]);
    await expect(decrypt(cipher, swapped)).rejects.toThrow(/fails authentication/);
    await expect(decrypt(cipher, Buffer.concat([stored, Buffer.from('x')]))).rejects.toThrow(/after the last chunk/);
    await expect(decrypt(cipher, Buffer.from('PGDMP not encrypted at all, long enough to hold a header'))).rejects.toThrow(/unknown header/);
  });

  it('encrypts the same archive differently each time (random archive id and nonces)', async () => {
    const data = randomBytes(1_000);
    const a = await roundTrip(cipher, data);
    const b = await roundTrip(cipher, data);
    expect(a.stored.equals(b.stored)).toBe(false);
  });
});
