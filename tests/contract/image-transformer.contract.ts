import sharp from 'sharp';
import { Readable } from 'node:stream';
import type { ImageFormat, ImageTransformer } from '../../src/application/ports/image-transformer.port';
import { TransformationFailed } from '../../src/domain/storage/errors';

export interface ImageTransformerGaps {
  /** Formats this adapter cannot write, each with the reason the suite prints. */
  cannotWrite?: Partial<Record<ImageFormat, string>>;
}

/** A noisy photo-like image (noise compresses poorly, so quality shows in the size). */
async function aPhoto(width: number, height: number, format: ImageFormat = 'png'): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + ((i / 3) % width) * 3 + Math.floor(Math.random() * 60)) & 0xff;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).toFormat(format).toBuffer();
}

async function sizeOf(data: Buffer): Promise<{ width: number; height: number; format: string }> {
  const metadata = await sharp(data).metadata();
  return { width: metadata.width!, height: metadata.height!, format: metadata.format! };
}

export function imageTransformerContract(name: string, make: () => ImageTransformer, gaps: ImageTransformerGaps = {}): void {
  describe(`ImageTransformer contract: ${name}`, () => {
    let transformer: ImageTransformer;
    let photo: Buffer;
    let small: Buffer;
    beforeAll(async () => {
      transformer = make();
      photo = await aPhoto(400, 300);
      small = await aPhoto(80, 60);
    });

    it('resizes inside a box, keeping the aspect ratio', async () => {
      const result = await transformer.transform(photo, { width: 200, height: 200, maintainAspectRatio: true });
      expect([result.width, result.height]).toEqual([200, 150]);
      expect(await sizeOf(result.data)).toMatchObject({ width: 200, height: 150, format: 'png' });
    });

    it('resizes to exactly the box without the aspect ratio', async () => {
      const result = await transformer.transform(photo, { width: 120, height: 80, maintainAspectRatio: false });
      expect(await sizeOf(result.data)).toMatchObject({ width: 120, height: 80 });
    });

    it('covers the box when fit is cover', async () => {
      const result = await transformer.transform(photo, { width: 100, height: 100, fit: 'cover' });
      expect(await sizeOf(result.data)).toMatchObject({ width: 100, height: 100 });
    });

    it('keeps the proportion from one side when only a width is given', async () => {
      const result = await transformer.transform(photo, { width: 100 });
      expect(await sizeOf(result.data)).toMatchObject({ width: 100, height: 75 });
    });

    it('reads a stream as well as a buffer', async () => {
      const result = await transformer.transform(Readable.from([photo.subarray(0, 100), photo.subarray(100)]), { width: 40 });
      expect(await sizeOf(result.data)).toMatchObject({ width: 40, height: 30 });
    });

    for (const format of ['jpeg', 'png', 'webp', 'gif'] as const) {
      const gap = gaps.cannotWrite?.[format];
      (gap ? it.skip : it)(`converts to ${format}${gap ? ` (skipped: ${gap})` : ''}`, async () => {
        // Small: jimp's GIF quantizer takes seconds on anything bigger.
        const result = await transformer.transform(small, { format });
        expect(result.format).toBe(format);
        expect(await sizeOf(result.data)).toMatchObject({ width: 80, height: 60, format });
      });
    }

    it('writes a smaller JPEG at a lower quality', async () => {
      const jpeg = await aPhoto(400, 300, 'jpeg');
      const high = await transformer.transform(jpeg, { format: 'jpeg', quality: 95 });
      const low = await transformer.transform(jpeg, { format: 'jpeg', quality: 30 });
      expect(low.data.length).toBeLessThan(high.data.length);
    });

    it('makes a thumbnail within 200×200', async () => {
      const big = await aPhoto(1200, 800, 'jpeg');
      const result = await transformer.transform(big, { width: 200, height: 200, fit: 'inside', format: 'jpeg', quality: 80 });
      expect(await sizeOf(result.data)).toMatchObject({ width: 200, height: 133, format: 'jpeg' });
    });

    it('fails with TransformationFailed on a corrupt image', async () => {
      const corrupt = Buffer.concat([photo.subarray(0, 60), Buffer.from('not the rest of a png')]);
      await expect(transformer.transform(corrupt, { width: 50 })).rejects.toBeInstanceOf(TransformationFailed);
      await expect(transformer.transform(Buffer.from('plain text, no image'), { width: 50 })).rejects.toBeInstanceOf(TransformationFailed);
    });
  });
}
