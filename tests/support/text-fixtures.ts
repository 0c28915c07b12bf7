import { encodePng } from '../../src/adapters/media/png-encoder';
import { Document, Packer, Paragraph, TextRun } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** Documents and images holding known words, built in memory for the text extractors. */

export async function aPdfSaying(...sentences: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  sentences.forEach((sentence) => doc.addPage([500, 200]).drawText(sentence, { x: 20, y: 100, size: 14, font }));
  return Buffer.from(await doc.save());
}

export async function aDocxSaying(...sentences: string[]): Promise<Buffer> {
  const doc = new Document({
    sections: [{ children: sentences.map((s, i) => new Paragraph({ children: [new TextRun({ text: s, bold: i % 2 === 0 })] })) }],
  });
  return Packer.toBuffer(doc);
}

export function aUtf8TextWithBom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Bold and italic runs, a font table, an \'e9 byte (é in cp1252), a \u8364 euro and escaped braces. */
export function anRtf(): Buffer {
  return Buffer.from(
    '{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\fswiss Helvetica;}{\\f1 Times;}}{\\colortbl;\\red255\\green0\\blue0;}\r\n' +
      '{\\*\\generator Test 1.0;}\\f0\\fs24 {\\b Bold caf\\\'e9} and {\\i italic} text.\\par\r\n' +
      'Price: 5\\u8364? in \\{braces\\} and a back\\\\slash.\\par\r\n' +
      '{\\header ignored header}Last line\\tab end.}',
    'latin1',
  );
}

/** 5×7 capitals for the words the OCR test draws. */
const GLYPHS: Record<string, string[]> = {
  H: ['10001', '10001', '10001', '11111', '10001', '10001', '10001'],
  E: ['11111', '10000', '10000', '11110', '10000', '10000', '11111'],
  L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'],
  O: ['01110', '10001', '10001', '10001', '10001', '10001', '01110'],
  W: ['10001', '10001', '10001', '10101', '10101', '10101', '01010'],
  R: ['11110', '10001', '10001', '11110', '10100', '10010', '10001'],
  D: ['11100', '10010', '10001', '10001', '10001', '10010', '11100'],
  T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'],
  X: ['10001', '10001', '01010', '00100', '01010', '10001', '10001'],
  ' ': ['000', '000', '000', '000', '000', '000', '000'],
};

/** Black capitals on white, `scale` pixels per glyph dot, as an 8-bit greyscale PNG. */
export function aTextImagePng(text: string, scale = 10): Buffer {
  const glyphs = [...text.toUpperCase()].map((c) => {
    const glyph = GLYPHS[c];
    if (!glyph) throw new Error(`No glyph for ${c}`);
    return glyph;
  });
  const margin = 4;
  const dotsWide = glyphs.reduce((w, g) => w + g[0]!.length + 1, 0) - 1 + 2 * margin;
  const dotsHigh = 7 + 2 * margin;
  const dot = (x: number, y: number): boolean => {
    let left = margin;
    for (const glyph of glyphs) {
      const width = glyph[0]!.length;
      if (x >= left && x < left + width) return glyph[y - margin]?.[x - left] === '1';
      left += width + 1;
    }
    return false;
  };
  const width = dotsWide * scale;
  const height = dotsHigh * scale;
  const rows = Array.from({ length: height }, (_, y) => {
    const row = Buffer.alloc(width + 1, 255);
    row[0] = 0;
    for (let x = 0; x < width; x++) if (dot(Math.floor(x / scale), Math.floor(y / scale))) row[x + 1] = 0;
    return row;
  });
  return encodePng(width, height, 0, Buffer.concat(rows));
}

/** The first bytes of `real`, then noise: right magic number, broken body. */
export function corrupted(real: Buffer, keep = 16): Buffer {
  const broken = Buffer.from(real.subarray(0, Math.min(keep, real.length)));
  return Buffer.concat([broken, Buffer.from('this is not the rest of the file '.repeat(20))]);
}
