import { InvalidFileType } from './errors';

/** Names clients and libraries use for the same type, reduced to one. */
const ALIASES: Record<string, string> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'text/rtf': 'application/rtf',
  'audio/x-ogg': 'audio/ogg',
};

/** Declared types that say nothing about the content: the sniffed type stands alone. */
const UNINFORMATIVE = new Set(['', 'application/octet-stream']);

export function normalizeMimeType(mimeType: string): string {
  const bare = mimeType.split(';')[0]!.trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

/**
 * The type a file is stored as: what its bytes show, which must agree with what the client declared
 * (a PNG name on PDF bytes is refused, not relabelled) and be allowed. Unrecognisable bytes are refused.
 */
export function acceptedMimeType(sniffed: string | null, declared: string | null, allowed: readonly string[]): string {
  const declaredType = normalizeMimeType(declared ?? '');
  const details = { declared_mime_type: declared ?? null, detected_mime_type: sniffed, allowed_mime_types: allowed };
  if (!sniffed) throw new InvalidFileType('The file content is not of a recognised type', details);
  const actual = normalizeMimeType(sniffed);
  if (!UNINFORMATIVE.has(declaredType) && declaredType !== actual) {
    throw new InvalidFileType(`The file content is ${actual}, not the declared ${declaredType}`, details);
  }
  if (!allowed.map(normalizeMimeType).includes(actual)) throw new InvalidFileType(`File type ${actual} is not allowed for upload`, details);
  return actual;
}
