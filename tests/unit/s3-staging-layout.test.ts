import { BodyReader } from '../../src/adapters/object-store/body-reader';
import { cover, decodeUploadId, encodeUploadId, layoutFor, parsePiece, partCount, partRange, pieceKey, type Piece } from '../../src/adapters/object-store/s3-staging-layout';

const MiB = 1024 * 1024;

describe('S3 staging layout', () => {
  it('makes seed chunks of 5 MiB or more parts of their own, and gathers smaller ones and tus appends into 5 MiB parts', () => {
    expect(layoutFor({ sizeBytes: 100 * MiB, partSize: 8 * MiB }, 'id').partBytes).toBe(8 * MiB);
    expect(layoutFor({ sizeBytes: 100 * MiB, partSize: 256 * 1024 }, 'id').partBytes).toBe(5 * MiB);
    // 10,000 parts at most: a 100 GiB tus upload needs parts of 11 MiB.
    expect(layoutFor({ sizeBytes: 100 * 1024 * MiB, partSize: MiB }, 'id').partBytes).toBe(11 * MiB);
    expect(() => layoutFor({ sizeBytes: 10_001 * 5 * MiB, partSize: 5 * MiB }, 'id')).toThrow('10,000 parts');
  });

  it('keeps the layout in the upload id, whatever S3 put in its own', () => {
    const layout = { partBytes: 5 * MiB, sizeBytes: 12 * MiB + 3, multipartId: 'a.b~c/d_e-f' };
    expect(decodeUploadId(encodeUploadId(layout))).toEqual(layout);
    expect(() => decodeUploadId('not-an-id')).toThrow('Invalid upload id');
    expect(partCount(layout)).toBe(3);
    expect(partRange(layout, 2)).toEqual({ start: 10 * MiB, end: 12 * MiB + 3 });
  });

  it('reads each byte from the latest piece holding it, and finds gaps', () => {
    const layout = { partBytes: 5 * MiB, sizeBytes: 5 * MiB, multipartId: 'x' };
    const piece = (start: number, end: number, stamp: string): Piece => ({ ...parsePiece(pieceKey(layout, 0, start, end))!, stamp });
    const old = piece(0, 10, '1');
    const retried = piece(0, 4, '2');
    const next = piece(4, 6, '3');
    expect(cover([retried], 0, 6)).toBeNull();
    expect(cover([old, retried, next], 0, 6)).toEqual([
      { piece: retried, from: 0, to: 4 },
      { piece: next, from: 4, to: 6 },
    ]);
    // An older piece still holds what no later one replaced.
    expect(cover([old, piece(2, 3, '2')], 1, 5)).toEqual([
      { piece: old, from: 1, to: 2 },
      { piece: expect.objectContaining({ start: 2, end: 3 }), from: 2, to: 3 },
      { piece: old, from: 3, to: 5 },
    ]);
  });
});

describe('BodyReader', () => {
  async function* body(): AsyncGenerator<Buffer> {
    yield Buffer.from('abc');
    yield Buffer.alloc(0);
    yield Buffer.from('defgh');
  }

  it('hands out measured amounts across the pieces of a body', async () => {
    const reader = new BodyReader(body());
    expect((await reader.take(2)).toString()).toBe('ab');
    expect((await reader.take(4)).toString()).toBe('cdef');
    expect(await reader.hasMore()).toBe(true);
    expect((await reader.take(10)).toString()).toBe('gh');
    expect(await reader.hasMore()).toBe(false);
  });

  it('refuses to stream a length the body does not have, and keeps what the body threw', async () => {
    const reader = new BodyReader(body());
    await expect((async () => {
      for await (const _ of reader.stream(9)) void _;
    })()).rejects.toThrow('1 bytes before the end');
    const failing = new BodyReader((async function* () {
      yield Buffer.from('a');
      throw new Error('client went away');
    })());
    await expect(failing.take(5)).rejects.toThrow('client went away');
    expect((failing.failure as Error).message).toBe('client went away');
  });
});
