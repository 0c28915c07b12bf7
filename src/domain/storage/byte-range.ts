/** Inclusive byte offsets (the ObjectStore port's ByteRange has the same shape). */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What to serve for a `Range` header (RFC 9110 §14): the whole representation, one range of it, or
 * nothing (416). Only single ranges are honoured: a multi-range request is answered with the whole
 * representation (200), which RFC 9110 allows and which spares clients a multipart/byteranges body.
 * A header that is not a syntactically valid bytes range is ignored (200), as §14.2 permits.
 */
export type RangeDecision = { kind: 'full' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const SPEC = /^(\d*)-(\d*)$/;

export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!match) return { kind: 'full' };
  const specs = match[1]!.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (specs.length !== 1) return { kind: 'full' };
  const parts = SPEC.exec(specs[0]!);
  if (!parts) return { kind: 'full' };
  const [, first, last] = parts as unknown as [string, string, string];
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return { kind: 'unsatisfiable' };
    // An empty representation has no bytes to name in a Content-Range: serve it whole.
    if (size === 0) return { kind: 'full' };
    return { kind: 'partial', range: { start: Math.max(0, size - suffix), end: size - 1 } };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start)) return { kind: 'unsatisfiable' };
  if (last !== '') {
    const end = Number(last);
    if (end < start) return { kind: 'full' };
    if (start >= size) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
  }
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: size - 1 } };
}

/** A strong validator of the content: the SHA-256, quoted. */
export function entityTag(checksumSha256: string): string {
  return `"${checksumSha256}"`;
}

/**
 * `If-Range` (RFC 9110 §13.1.5): the range applies only if the validator still matches. An entity tag
 * matches by strong comparison (a weak tag never does); a date matches only Last-Modified exactly.
 */
export function ifRangeHolds(ifRange: string | undefined, etag: string, lastModified: Date): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(date / 1000) === Math.floor(lastModified.getTime() / 1000);
}

/** `If-None-Match` (RFC 9110 §13.1.2), weak comparison: true when the client's copy is current (304). */
export function noneMatchHits(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const value = ifNoneMatch.trim();
  if (value === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => bare(tag) === bare(etag));
}

export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
