import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ContentCipher } from '../../src/application/ports/content-cipher.port';
import {
  HEADER_BYTES,
  SEGMENT_CIPHERTEXT_BYTES,
  SEGMENT_PLAINTEXT_BYTES,
  ciphertextSize,
  segmentWindow,
} from '../../src/domain/crypto/segmented-format';
import { EncryptionKeyUnavailable, StorageIntegrityError } from '../../src/domain/storage/errors';
import type { FileEncryption } from '../../src/domain/storage/stored-file';

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part as Buffer));
  return Buffer.concat(parts);
}

/** Irregular pieces, as a socket hands them over (never aligned with segments). */
function pieces(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0, n = 1; i < data.length; i += n, n = (n * 7 + 13) % 70_001 || 1) out.push(data.subarray(i, i + n));
  return out;
}

export async function encryptWith(cipher: ContentCipher, key: FileEncryption, data: Buffer): Promise<Buffer> {
  return collect(Readable.from(pieces(data)).pipe(cipher.encryptor(key)));
}

/** Decrypts plaintext bytes start..end of a stored object the way a Range read does: only the covering segments. */
export async function decryptRange(cipher: ContentCipher, key: FileEncryption, stored: Buffer, size: number, range?: { start: number; end: number }): Promise<Buffer> {
  const window = segmentWindow(size, range);
  const header = window.firstSegment === 0 ? null : stored.subarray(0, HEADER_BYTES);
  const from = header ? window.ciphertextStart : 0;
  const input = range ? stored.subarray(from, window.ciphertextEnd + 1) : stored;
  return collect(Readable.from(pieces(input)).pipe(cipher.decryptor(key, size, window, header)));
}

/**
 * What FileContent expects of a ContentCipher: the object decrypts to the plaintext whole or by any
 * range, its size is ciphertextSize(plaintext), nothing of the plaintext shows, and any alteration,
 * truncation, reordering or surplus byte fails the stream with StorageIntegrityError. `makeRing(ids,
 * active)` gives a cipher over a keyring holding fixed keys for those ids.
 */
export function contentCipherContract(name: string, makeRing: (ids: string[], active: string) => ContentCipher): void {
  describe(`${name} (ContentCipher contract)`, () => {
    const S = SEGMENT_PLAINTEXT_BYTES;

    it.each([0, 1, 5, S - 1, S, S + 1, 3 * S, 3 * S + 17])('round-trips %i bytes; the object is ciphertextSize long and hides the plaintext', async (size) => {
      const cipher = makeRing(['k1'], 'k1');
      const key = cipher.newDataKey();
      const data = randomBytes(size);
      const stored = await encryptWith(cipher, key, data);
      expect(stored.length).toBe(ciphertextSize(size));
      expect((await decryptRange(cipher, key, stored, size)).equals(data)).toBe(true);
      if (size >= 32) expect(stored.includes(data.subarray(0, 32))).toBe(false);
    });

    const size = 3 * S + 100;
    it.each([
      ['first byte', 0, 0],
      ['last byte', size - 1, size - 1],
      ['last byte of segment 0', S - 1, S - 1],
      ['first byte of segment 1', S, S],
      ['across two segments', S - 10, S + 9],
      ['across every segment', 5, size - 5],
      ['a suffix inside the last segment', size - 50, size - 1],
      ['a whole middle segment', S, 2 * S - 1],
    ])('range %s decrypts to exactly those bytes', async (_label, start, end) => {
      const cipher = makeRing(['k1'], 'k1');
      const key = cipher.newDataKey();
      const data = randomBytes(size);
      const stored = await encryptWith(cipher, key, data);
      expect((await decryptRange(cipher, key, stored, size, { start, end })).equals(data.subarray(start, end + 1))).toBe(true);
    });

    describe('a damaged object fails with StorageIntegrityError', () => {
      const cipher = makeRing(['k1'], 'k1');
      const key = cipher.newDataKey();
      const data = randomBytes(size);
      let stored: Buffer;
      beforeAll(async () => {
        stored = await encryptWith(cipher, key, data);
      });
      const seg = (i: number) => stored.subarray(HEADER_BYTES + i * SEGMENT_CIPHERTEXT_BYTES, HEADER_BYTES + (i + 1) * SEGMENT_CIPHERTEXT_BYTES);

      it.each([
        ['a flipped byte in a segment', () => { const b = Buffer.from(stored); b[HEADER_BYTES + S + 7]! ^= 1; return b; }],
        ['a flipped byte in the header', () => { const b = Buffer.from(stored); b[HEADER_BYTES - 1]! ^= 1; return b; }],
        ['a flipped tag byte of the last segment', () => { const b = Buffer.from(stored); b[b.length - 1]! ^= 0x80; return b; }],
        ['the last segment cut off', () => stored.subarray(0, HEADER_BYTES + 3 * SEGMENT_CIPHERTEXT_BYTES)],
        ['a few bytes cut off', () => stored.subarray(0, stored.length - 3)],
        ['two segments swapped', () => Buffer.concat([stored.subarray(0, HEADER_BYTES), seg(1), seg(0), stored.subarray(HEADER_BYTES + 2 * SEGMENT_CIPHERTEXT_BYTES)])],
        ['bytes appended', () => Buffer.concat([stored, Buffer.from('more')])],
      ])('%s', async (_label, damage) => {
        await expect(decryptRange(cipher, key, damage(), size)).rejects.toBeInstanceOf(StorageIntegrityError);
      });

      it('a full segment presented as the last one (truncated at a segment boundary, size lied about)', async () => {
        const cut = stored.subarray(0, HEADER_BYTES + SEGMENT_CIPHERTEXT_BYTES);
        await expect(decryptRange(cipher, key, cut, S)).rejects.toBeInstanceOf(StorageIntegrityError);
      });

      it('a range over a damaged segment fails; one over intact segments still reads', async () => {
        const b = Buffer.from(stored);
        b[HEADER_BYTES + 2 * SEGMENT_CIPHERTEXT_BYTES + 3]! ^= 1;
        await expect(decryptRange(cipher, key, b, size, { start: 2 * S, end: 2 * S + 10 })).rejects.toBeInstanceOf(StorageIntegrityError);
        expect((await decryptRange(cipher, key, b, size, { start: 10, end: 20 })).equals(data.subarray(10, 21))).toBe(true);
      });
    });

    it('another data key does not open the object', async () => {
      const cipher = makeRing(['k1'], 'k1');
      const stored = await encryptWith(cipher, cipher.newDataKey(), Buffer.from('hello'));
      await expect(decryptRange(cipher, cipher.newDataKey(), stored, 5)).rejects.toBeInstanceOf(StorageIntegrityError);
    });

    it('a wrapped key under a master key not in the keyring: EncryptionKeyUnavailable', () => {
      const old = makeRing(['k0'], 'k0').newDataKey();
      const cipher = makeRing(['k1'], 'k1');
      expect(cipher.canOpen('k0')).toBe(false);
      expect(() => cipher.encryptor(old)).toThrow(EncryptionKeyUnavailable);
      expect(() => cipher.decryptor(old, 0, segmentWindow(0), null)).toThrow(EncryptionKeyUnavailable);
    });

    it('a wrapped key relabelled with another key id: EncryptionKeyUnavailable, not garbage', () => {
      const cipher = makeRing(['k1', 'k2'], 'k1');
      const key = cipher.newDataKey();
      expect(() => cipher.encryptor({ ...key, keyId: 'k2' })).toThrow(EncryptionKeyUnavailable);
    });

    it('rewrap: the same data key under the active master key; the object reads with the new wrap', async () => {
      const before = makeRing(['k1'], 'k1');
      const key = before.newDataKey();
      const data = randomBytes(S + 9);
      const stored = await encryptWith(before, key, data);
      const after = makeRing(['k1', 'k2'], 'k2');
      const rewrapped = after.rewrap(key);
      expect(rewrapped.keyId).toBe('k2');
      expect(rewrapped.wrappedKey).not.toBe(key.wrappedKey);
      expect(after.rewrap(rewrapped)).toEqual(rewrapped);
      const onlyNew = makeRing(['k2'], 'k2');
      expect((await decryptRange(onlyNew, rewrapped, stored, data.length)).equals(data)).toBe(true);
    });

    it('never shows a key: the wrapped key is 60 bytes of base64 and the data key is not in it', () => {
      const key = makeRing(['k1'], 'k1').newDataKey();
      expect(Buffer.from(key.wrappedKey, 'base64')).toHaveLength(60);
      expect(JSON.stringify(key)).not.toMatch(/dataKey|master/i);
    });
  });
}
