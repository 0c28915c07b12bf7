import type { ContentSniffer } from '../../src/application/ports/content-sniffer.port';
import { SNIFF_BYTES } from '../../src/application/ports/content-sniffer.port';
import { normalizeMimeType } from '../../src/domain/storage/file-type-policy';
import { aJpegWithExif, aPdf, aPng, aWav, anMp3 } from '../support/media-fixtures';

/** The head an upload hands the sniffer: the first SNIFF_BYTES bytes, whatever the file's length. */
const headOf = (file: Buffer) => file.subarray(0, SNIFF_BYTES);

/** Files of the types uploads are checked against, each with the type its bytes show (compared normalized, as the upload policy does). */
const KNOWN: Array<{ name: string; file: () => Buffer | Promise<Buffer>; shows: string }> = [
  { name: 'PNG', file: () => aPng(2, 2), shows: 'image/png' },
  { name: 'JPEG', file: () => aJpegWithExif(640, 480, { make: 'Canon', model: 'EOS', iso: 100, fNumber: 4 }), shows: 'image/jpeg' },
  { name: 'PDF', file: () => aPdf(1, 't', 'a'), shows: 'application/pdf' },
  { name: 'WAV', file: () => aWav(1), shows: 'audio/wav' },
  { name: 'MP3', file: () => anMp3(20), shows: 'audio/mpeg' },
  { name: 'RTF', file: () => Buffer.from('{\\rtf1\\ansi hello}'), shows: 'application/rtf' },
  { name: 'SVG with an XML prolog', file: () => Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>'), shows: 'image/svg+xml' },
  { name: 'plain text', file: () => Buffer.from('hello\tworld\r\n'), shows: 'text/plain' },
];

/**
 * What every ContentSniffer promises to CreateStoredFile: the type the leading bytes show, whatever
 * the file is called or declared as, and null for bytes it cannot place (which the upload refuses).
 */
export function contentSnifferContract(name: string, make: () => ContentSniffer): void {
  describe(`${name} (ContentSniffer contract)`, () => {
    const sniffer = make();

    it.each(KNOWN.map((k) => [k.name, k] as const))('tells a %s from its leading bytes', async (_, known) => {
      const sniffed = await sniffer.sniff(headOf(await known.file()));
      expect(sniffed === null ? null : normalizeMimeType(sniffed)).toBe(known.shows);
    });

    it('answers null for bytes of no known type', async () => {
      await expect(sniffer.sniff(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04]))).resolves.toBeNull();
      await expect(sniffer.sniff(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]))).resolves.not.toBe('text/plain');
    });

    it('reads the bytes, not a label: a PNG head is a PNG whatever else follows it', async () => {
      const png = aPng(2, 2);
      const withPdfTail = Buffer.concat([png, await aPdf(1, 't', 'a')]);
      await expect(sniffer.sniff(headOf(withPdfTail))).resolves.toBe('image/png');
    });

    it('leaves the head it was given as it was', async () => {
      const head = headOf(await aPdf(1, 't', 'a'));
      const before = Buffer.from(head);
      await sniffer.sniff(head);
      expect(head.equals(before)).toBe(true);
    });
  });
}
