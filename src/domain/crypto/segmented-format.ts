/**
 * The arithmetic of the segmented streaming AEAD format files are stored in when encryption is on
 * (README "Encryption at rest", "On-disk format"): a 12-byte header, then the plaintext cut into
 * 64 KiB segments, each sealed on its own with a 16-byte tag. Pure offsets only, so a Range request
 * can tell which ciphertext bytes cover the plaintext bytes asked for without reading anything else.
 */
export const SEGMENT_PLAINTEXT_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const SEGMENT_CIPHERTEXT_BYTES = SEGMENT_PLAINTEXT_BYTES + TAG_BYTES;
/** "VBSE" | version (1 byte) | nonce prefix (7 bytes). */
export const FORMAT_MAGIC = 'VBSE';
export const FORMAT_VERSION = 1;
export const NONCE_PREFIX_BYTES = 7;
export const HEADER_BYTES = FORMAT_MAGIC.length + 1 + NONCE_PREFIX_BYTES;

/** Every object has at least one segment: an empty plaintext is one empty last segment (a tag alone). */
export function segmentCount(plaintextSize: number): number {
  return Math.max(1, Math.ceil(plaintextSize / SEGMENT_PLAINTEXT_BYTES));
}

export function ciphertextSize(plaintextSize: number): number {
  return HEADER_BYTES + plaintextSize + segmentCount(plaintextSize) * TAG_BYTES;
}

export function segmentOf(plaintextOffset: number): number {
  return Math.floor(plaintextOffset / SEGMENT_PLAINTEXT_BYTES);
}

/** Plaintext bytes in segment `index` of an object of `plaintextSize` bytes. */
export function segmentPlaintextSize(index: number, plaintextSize: number): number {
  const last = segmentCount(plaintextSize) - 1;
  return index < last ? SEGMENT_PLAINTEXT_BYTES : plaintextSize - last * SEGMENT_PLAINTEXT_BYTES;
}

export function segmentCiphertextOffset(index: number): number {
  return HEADER_BYTES + index * SEGMENT_CIPHERTEXT_BYTES;
}

/** Which segments to fetch and decrypt for plaintext bytes start..end (inclusive), and what to keep of them. */
export interface SegmentWindow {
  firstSegment: number;
  lastSegment: number;
  /** Inclusive ciphertext offsets covering those segments (the header excluded). */
  ciphertextStart: number;
  ciphertextEnd: number;
  /** Plaintext bytes to drop from the front of the first segment. */
  skip: number;
  /** Plaintext bytes to deliver in all. */
  length: number;
}

export function segmentWindow(plaintextSize: number, range?: { start: number; end: number }): SegmentWindow {
  const start = range?.start ?? 0;
  const end = range?.end ?? plaintextSize - 1;
  const firstSegment = segmentOf(start);
  const lastSegment = plaintextSize === 0 ? 0 : segmentOf(Math.max(start, end));
  const lastIndex = segmentCount(plaintextSize) - 1;
  const ciphertextEnd =
    segmentCiphertextOffset(lastSegment) + segmentPlaintextSize(lastSegment, plaintextSize) + TAG_BYTES - 1;
  if (lastSegment > lastIndex) throw new RangeError('range beyond the object');
  return {
    firstSegment,
    lastSegment,
    ciphertextStart: segmentCiphertextOffset(firstSegment),
    ciphertextEnd,
    skip: start - firstSegment * SEGMENT_PLAINTEXT_BYTES,
    length: plaintextSize === 0 ? 0 : end - start + 1,
  };
}
