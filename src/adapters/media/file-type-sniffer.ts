import { fromBuffer } from 'file-type';
import type { ContentSniffer } from '../../application/ports/content-sniffer.port';

/**
 * file-type (v16, the last CommonJS line: Jest here runs CommonJS) for binary formats, plus the two
 * text formats it cannot see: SVG (XML whose root is <svg>) and plain text (no control bytes).
 */
export class FileTypeSniffer implements ContentSniffer {
  async sniff(head: Buffer): Promise<string | null> {
    const detected = await fromBuffer(head);
    // file-type calls any document with an XML prolog application/xml, SVG included.
    if (detected && detected.mime !== 'application/xml') return detected.mime;
    const text = looksLikeText(head) ? head.toString('utf8') : null;
    if (text === null) return detected?.mime ?? null;
    if (SVG_ROOT.test(text)) return 'image/svg+xml';
    return detected?.mime ?? 'text/plain';
  }
}

const SVG_ROOT = /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i;

/** Text is what has no C0 control bytes other than tab, newline, form feed and carriage return. */
function looksLikeText(head: Buffer): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) return false;
    if (byte === 0x7f) return false;
  }
  return true;
}
