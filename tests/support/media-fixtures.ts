import { encodePng } from '../../src/adapters/media/png-encoder';
import { randomBytes } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';

/** Test media built in memory, each with random content so that no two are duplicates. */

export function aPng(width: number, height: number): Buffer {
  const rows = Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)]));
  return encodePng(width, height, 2, Buffer.concat(rows));
}

export async function aPdf(pages: number, title: string, author: string): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(title);
  doc.setAuthor(author);
  doc.setSubject(randomBytes(8).toString('hex'));
  for (let i = 0; i < pages; i++) doc.addPage([200, 200]);
  return Buffer.from(await doc.save());
}

/** PCM 16-bit mono: a header and low noise (random, so unique). */
export function aWav(seconds: number, sampleRate = 8_000): Buffer {
  const data = randomBytes(seconds * sampleRate * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export function someText(bytes = 200): Buffer {
  return Buffer.from(randomBytes(Math.ceil(bytes / 2)).toString('hex').slice(0, bytes));
}

/** MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: silent frames after an ID3v2.3 tag whose title is random. */
export function anMp3(frames: number): Buffer {
  const title = Buffer.concat([Buffer.from([0]), Buffer.from(randomBytes(8).toString('hex'))]);
  const frameHeader = Buffer.alloc(10);
  frameHeader.write('TIT2', 0, 'ascii');
  frameHeader.writeUInt32BE(title.length, 4);
  const tagBody = Buffer.concat([frameHeader, title]);
  const size = tagBody.length;
  const syncsafe = [(size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f];
  const tag = Buffer.concat([Buffer.from('ID3', 'ascii'), Buffer.from([3, 0, 0, ...syncsafe]), tagBody]);
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc4], 0);
  return Buffer.concat([tag, ...Array.from({ length: frames }, () => frame)]);
}

/**
 * A JPEG header as a camera writes it: EXIF (Make, Model, ISO, FNumber) in APP1, then the frame
 * header with the dimensions. No scan data: enough for sniffing and metadata, not for decoding.
 */
export function aJpegWithExif(width: number, height: number, exif: { make: string; model: string; iso: number; fNumber: number }): Buffer {
  const ascii = (s: string) => Buffer.from(`${s}\0`, 'ascii');
  const make = ascii(exif.make);
  const model = ascii(`${exif.model} ${randomBytes(3).toString('hex')}`);
  // Little-endian TIFF: header (8), IFD0 with 3 entries (2 + 36 + 4), Exif IFD with 2 entries (2 + 24 + 4), then values.
  const ifd0At = 8;
  const exifIfdAt = ifd0At + 2 + 3 * 12 + 4;
  const valuesAt = exifIfdAt + 2 + 2 * 12 + 4;
  const makeAt = valuesAt;
  const modelAt = makeAt + make.length;
  const fNumberAt = modelAt + model.length;
  const tiff = Buffer.alloc(fNumberAt + 8);
  tiff.write('II', 0, 'ascii');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifd0At, 4);
  const entry = (at: number, tag: number, type: number, count: number, value: number) => {
    tiff.writeUInt16LE(tag, at);
    tiff.writeUInt16LE(type, at + 2);
    tiff.writeUInt32LE(count, at + 4);
    if (type === 3) tiff.writeUInt16LE(value, at + 8);
    else tiff.writeUInt32LE(value, at + 8);
  };
  tiff.writeUInt16LE(3, ifd0At);
  entry(ifd0At + 2, 0x010f, 2, make.length, makeAt);
  entry(ifd0At + 14, 0x0110, 2, model.length, modelAt);
  entry(ifd0At + 26, 0x8769, 4, 1, exifIfdAt);
  tiff.writeUInt16LE(2, exifIfdAt);
  entry(exifIfdAt + 2, 0x829d, 5, 1, fNumberAt);
  entry(exifIfdAt + 14, 0x8827, 3, 1, exif.iso);
  make.copy(tiff, makeAt);
  model.copy(tiff, modelAt);
  tiff.writeUInt32LE(Math.round(exif.fNumber * 10), fNumberAt);
  tiff.writeUInt32LE(10, fNumberAt + 4);
  const app1Body = Buffer.concat([Buffer.from('Exif\0\0', 'ascii'), tiff]);
  const segment = (marker: number, body: Buffer) => {
    const head = Buffer.from([0xff, marker, 0, 0]);
    head.writeUInt16BE(body.length + 2, 2);
    return Buffer.concat([head, body]);
  };
  const sof = Buffer.alloc(15);
  sof.writeUInt8(8, 0);
  sof.writeUInt16BE(height, 1);
  sof.writeUInt16BE(width, 3);
  sof.writeUInt8(3, 5);
  sof.set([1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1], 6);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xe1, app1Body), segment(0xc0, sof), Buffer.from([0xff, 0xd9])]);
}
