import {
  HEADER_BYTES,
  SEGMENT_CIPHERTEXT_BYTES,
  SEGMENT_PLAINTEXT_BYTES as S,
  ciphertextSize,
  segmentCount,
  segmentWindow,
} from '../../src/domain/crypto/segmented-format';

describe('segmented format arithmetic', () => {
  it.each([
    [0, 1, HEADER_BYTES + 16],
    [1, 1, HEADER_BYTES + 1 + 16],
    [S, 1, HEADER_BYTES + S + 16],
    [S + 1, 2, HEADER_BYTES + S + 1 + 32],
    [10 * S, 10, HEADER_BYTES + 10 * S + 160],
  ])('%i plaintext bytes: %i segments, %i stored bytes', (size, segments, stored) => {
    expect(segmentCount(size)).toBe(segments);
    expect(ciphertextSize(size)).toBe(stored);
  });

  it('a range inside one segment fetches that segment only', () => {
    const w = segmentWindow(5 * S, { start: 2 * S + 10, end: 2 * S + 20 });
    expect(w).toEqual({
      firstSegment: 2,
      lastSegment: 2,
      ciphertextStart: HEADER_BYTES + 2 * SEGMENT_CIPHERTEXT_BYTES,
      ciphertextEnd: HEADER_BYTES + 3 * SEGMENT_CIPHERTEXT_BYTES - 1,
      skip: 10,
      length: 11,
    });
  });

  it('a range ending in a short last segment ends at the end of the object', () => {
    const size = 2 * S + 100;
    const w = segmentWindow(size, { start: S - 1, end: size - 1 });
    expect(w.firstSegment).toBe(0);
    expect(w.lastSegment).toBe(2);
    expect(w.ciphertextEnd).toBe(ciphertextSize(size) - 1);
    expect(w.skip).toBe(S - 1);
    expect(w.length).toBe(size - S + 1);
  });

  it('the whole of an empty object is its one empty segment', () => {
    expect(segmentWindow(0)).toMatchObject({ firstSegment: 0, lastSegment: 0, length: 0, ciphertextEnd: HEADER_BYTES + 15 });
  });
});
