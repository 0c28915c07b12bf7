export type Disposition = 'inline' | 'attachment';

// Whatever could end the header or break out of the quoted string, plus control and bidi characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A Content-Disposition value per RFC 6266: an ASCII `filename` for old clients and, when the name is
 * not plain ASCII, `filename*` in RFC 8187 encoding. No input can inject a header or a parameter.
 */
export function contentDisposition(disposition: Disposition, filename: string): string {
  const clean = filename.normalize('NFC').replace(UNSAFE, '').replace(/[\\/]/g, '_').trim() || 'download';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_').replace(/%/g, '_');
  const needsExtended = ascii !== clean;
  const extended = encodeURIComponent(clean).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"${needsExtended ? `; filename*=UTF-8''${extended}` : ''}`;
}
