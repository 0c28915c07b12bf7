import { crc32, deflateSync } from 'node:zlib';

/** PNG colour types used here: 0 greyscale, 2 RGB, 6 RGBA (8 bits per sample). */
export type PngColorType = 0 | 2 | 6;

/**
 * A minimal PNG writer over node:zlib: `rows` are the scanlines, each already prefixed with its
 * filter byte (0). Enough for waveform images and test fixtures, with no image library.
 */
export function encodePng(width: number, height: number, colorType: PngColorType, rows: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, colorType, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
