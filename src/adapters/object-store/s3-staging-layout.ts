import { createHash, randomBytes } from 'node:crypto';
import type { StagingPlan } from '../../application/ports/upload-staging.port';

/** S3's minimum size of every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

/**
 * How one S3 multipart upload is cut, fixed at begin so any process can continue it from the upload
 * id alone: part n+1 holds bytes [n × partBytes, (n+1) × partBytes), the last one shorter.
 */
export interface StagingLayout {
  partBytes: number;
  sizeBytes: number;
  /** S3's UploadId. */
  multipartId: string;
}

/**
 * The seed's chunks of 5 MiB or more are parts of their own (chunk i = part i+1). Smaller chunks and
 * tus appends of any length are gathered into 5 MiB parts (more when 10,000 parts would not hold
 * the upload), S3's minimum.
 */
export function layoutFor(plan: StagingPlan, multipartId: string): StagingLayout {
  if (plan.partSize >= MIN_PART_BYTES) {
    if (Math.ceil(plan.sizeBytes / plan.partSize) > MAX_PARTS) throw new Error('An S3 multipart upload holds at most 10,000 parts: use larger chunks');
    return { partBytes: plan.partSize, sizeBytes: plan.sizeBytes, multipartId };
  }
  const partBytes = Math.max(MIN_PART_BYTES, Math.ceil(plan.sizeBytes / MAX_PARTS / MiB) * MiB);
  return { partBytes, sizeBytes: plan.sizeBytes, multipartId };
}

/** `<part bytes>.<size>.<UploadId>`, numbers in base 36: what upload_sessions.provider_upload_id keeps. */
export function encodeUploadId(layout: StagingLayout): string {
  const id = `${layout.partBytes.toString(36)}.${layout.sizeBytes.toString(36)}.${layout.multipartId}`;
  if (id.length > 255) throw new Error('S3 answered an UploadId too long to record');
  return id;
}

export function decodeUploadId(uploadId: string): StagingLayout {
  const match = /^([0-9a-z]{1,11})\.([0-9a-z]{1,11})\.(.+)$/s.exec(uploadId);
  const partBytes = match ? parseInt(match[1]!, 36) : NaN;
  const sizeBytes = match ? parseInt(match[2]!, 36) : NaN;
  if (!match || !(partBytes > 0) || !(sizeBytes >= 0)) throw new Error('Invalid upload id');
  return { partBytes, sizeBytes, multipartId: match[3]! };
}

export function partCount(layout: StagingLayout): number {
  return Math.ceil(layout.sizeBytes / layout.partBytes);
}

/** Part `index` (0-based; S3's PartNumber is index + 1) as [start, end). */
export function partRange(layout: StagingLayout, index: number): { start: number; end: number } {
  const start = index * layout.partBytes;
  return { start, end: Math.min(start + layout.partBytes, layout.sizeBytes) };
}

/**
 * Bytes kept as small objects between requests: the part of a tus upload not yet 5 MiB long, the
 * seed's small chunks until their part is whole, and copies of ranges the caller will read back (S3
 * parts cannot be read before the upload completes). Under a dot-prefix no valid key reaches.
 */
export function piecesPrefix(layout: StagingLayout): string {
  return `.staging/mpu-${createHash('sha256').update(layout.multipartId).digest('hex').slice(0, 32)}/`;
}

export function partPrefix(layout: StagingLayout, index: number): string {
  return `${piecesPrefix(layout)}${String(index).padStart(5, '0')}/`;
}

export interface Piece {
  key: string;
  start: number;
  /** Exclusive. */
  end: number;
  /** When it was written: where pieces overlap (a write retried after its offset was never committed), the later one holds the bytes. */
  stamp: string;
}

const pad = (n: number) => String(n).padStart(13, '0');

export function pieceKey(layout: StagingLayout, index: number, start: number, end: number): string {
  const stamp = `${pad(Date.now())}${randomBytes(3).toString('hex')}`;
  return `${partPrefix(layout, index)}${pad(start)}-${pad(end)}-${stamp}`;
}

export function parsePiece(key: string): Piece | null {
  const match = /\/(\d{13})-(\d{13})-(\d{13}[0-9a-f]{6})$/.exec(key);
  return match ? { key, start: Number(match[1]), end: Number(match[2]), stamp: match[3]! } : null;
}

/** Where to read [start, end) from: the latest piece holding each byte, or null when some byte is in none. */
export function cover(pieces: Piece[], start: number, end: number): Array<{ piece: Piece; from: number; to: number }> | null {
  const slices: Array<{ piece: Piece; from: number; to: number }> = [];
  let cursor = start;
  while (cursor < end) {
    const holding = pieces.filter((p) => p.start <= cursor && cursor < p.end);
    if (holding.length === 0) return null;
    const latest = holding.reduce((a, b) => (b.stamp > a.stamp ? b : a));
    // A later piece starting inside this one takes over from where it starts.
    const takeover = pieces.filter((p) => p.start > cursor && p.start < latest.end && p.stamp > latest.stamp).reduce((min, p) => Math.min(min, p.start), latest.end);
    const to = Math.min(takeover, end);
    slices.push({ piece: latest, from: cursor, to });
    cursor = to;
  }
  return slices;
}
