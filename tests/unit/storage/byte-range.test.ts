import { contentRange, decideRange, entityTag, ifRangeHolds, noneMatchHits } from '../../../src/domain/storage/byte-range';

describe('decideRange (RFC 9110 §14)', () => {
  const size = 1000;
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=990-5000', { start: 990, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['BYTES = 5-9', { start: 5, end: 9 }],
    ['bytes=0-0', { start: 0, end: 0 }],
  ])('%s → partial', (header, range) => {
    expect(decideRange(header, size)).toEqual({ kind: 'partial', range });
  });

  it.each(['bytes=1000-', 'bytes=1000-1001', 'bytes=5000-6000', 'bytes=-0'])('%s → unsatisfiable', (header) => {
    expect(decideRange(header, size)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([undefined, 'items=0-1', 'bytes=', 'bytes=-', 'bytes=abc', 'bytes=5-2', 'bytes=0-1,5-9', 'bytes=1.5-2', 'bytes=0-1-2'])(
    '%s → full (ignored or multi-range)',
    (header) => {
      expect(decideRange(header, size)).toEqual({ kind: 'full' });
    },
  );

  it('a zero-length file: any int range is unsatisfiable, a suffix range serves the (empty) whole', () => {
    expect(decideRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=0-0', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-10', 0)).toEqual({ kind: 'full' });
  });

  it('huge offsets do not lose precision into a satisfiable range', () => {
    expect(decideRange('bytes=99999999999999999999-', size)).toEqual({ kind: 'unsatisfiable' });
  });

  it('formats Content-Range', () => {
    expect(contentRange({ start: 0, end: 1023 }, 1048576)).toBe('bytes 0-1023/1048576');
  });
});

describe('conditional headers', () => {
  const etag = entityTag('abc');
  const lastModified = new Date('2024-01-15T10:30:00.456Z');

  it('If-Range: strong comparison of entity tags; weak tags never match', () => {
    expect(ifRangeHolds(undefined, etag, lastModified)).toBe(true);
    expect(ifRangeHolds('"abc"', etag, lastModified)).toBe(true);
    expect(ifRangeHolds('"other"', etag, lastModified)).toBe(false);
    expect(ifRangeHolds('W/"abc"', etag, lastModified)).toBe(false);
  });

  it('If-Range: a date matches Last-Modified to the second, nothing else', () => {
    expect(ifRangeHolds(lastModified.toUTCString(), etag, lastModified)).toBe(true);
    expect(ifRangeHolds(new Date('2024-01-15T10:29:00Z').toUTCString(), etag, lastModified)).toBe(false);
    expect(ifRangeHolds('not a date', etag, lastModified)).toBe(false);
  });

  it('If-None-Match: weak comparison over a list, and *', () => {
    expect(noneMatchHits('"x", W/"abc"', etag)).toBe(true);
    expect(noneMatchHits('*', etag)).toBe(true);
    expect(noneMatchHits('"x"', etag)).toBe(false);
    expect(noneMatchHits(undefined, etag)).toBe(false);
  });
});
