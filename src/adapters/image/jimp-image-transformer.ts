import gif from '@jimp/js-gif';
import jpeg from '@jimp/js-jpeg';
import png from '@jimp/js-png';
import { Jimp, JimpMime } from 'jimp';
import type { Readable } from 'node:stream';
import type { ImageFormat, ImageOperation, ImageTransformer } from '../../application/ports/image-transformer.port';
import { TransformationFailed, UnsupportedTransformation } from '../../domain/storage/errors';
import { readInput } from './read-input';

type JimpImage = ReturnType<typeof Jimp.fromBitmap>;

const MIME: Partial<Record<ImageFormat, string>> = { jpeg: JimpMime.jpeg, png: JimpMime.png, gif: JimpMime.gif };

/**
 * Pure JavaScript, for machines where sharp's libvips binaries cannot load; about 19× slower.
 * jimp 1.6 writes JPEG, PNG and GIF but not WebP (that needs a WebAssembly plugin), and ignores
 * quality for PNG and GIF. Decoding goes straight to jimp's codecs: `Jimp.read` sniffs the type with
 * an ESM-only dynamic import that Jest in CommonJS mode cannot load.
 */
export class JimpImageTransformer implements ImageTransformer {
  readonly name = 'jimp';

  async transform(input: Buffer | Readable, operation: ImageOperation) {
    const source = await readInput(input);
    let image: JimpImage;
    try {
      image = decode(source);
    } catch (error) {
      throw new TransformationFailed(`The image could not be decoded: ${(error as Error).message}`);
    }
    const format = operation.format ?? sourceFormat(source)!;
    const mime = MIME[format];
    if (!mime) throw new UnsupportedTransformation(`The ${this.name} image transformer cannot write ${format}`, { format });
    try {
      resize(image, operation);
      const data =
        format === 'jpeg'
          ? await image.getBuffer(JimpMime.jpeg, { quality: operation.quality ?? 80 })
          : await image.getBuffer(mime as typeof JimpMime.png);
      return { data, format, width: image.width, height: image.height };
    } catch (error) {
      throw new TransformationFailed(`The image could not be processed: ${(error as Error).message}`);
    }
  }
}

function resize(image: JimpImage, { width, height, fit, maintainAspectRatio }: ImageOperation): void {
  if (width === undefined && height === undefined) return;
  const ratio = image.width / image.height;
  if (width === undefined || height === undefined) {
    const w = width ?? Math.max(1, Math.round(height! * ratio));
    const h = height ?? Math.max(1, Math.round(width! / ratio));
    image.resize({ w, h });
    return;
  }
  const mode = maintainAspectRatio === false ? 'fill' : (fit ?? 'inside');
  if (mode === 'fill') image.resize({ w: width, h: height });
  else if (mode === 'cover') image.cover({ w: width, h: height });
  else if (mode === 'contain') image.contain({ w: width, h: height });
  else {
    const scale = mode === 'inside'
      ? Math.min(width / image.width, height / image.height)
      : Math.max(width / image.width, height / image.height);
    image.resize({ w: Math.max(1, Math.round(image.width * scale)), h: Math.max(1, Math.round(image.height * scale)) });
  }
}

const DECODERS: Record<'jpeg' | 'png' | 'gif', { decode(data: Buffer): { data: Buffer; width: number; height: number } }> = {
  jpeg: jpeg(),
  png: png(),
  gif: gif() as unknown as { decode(data: Buffer): { data: Buffer; width: number; height: number } },
};

function sourceFormat(data: Buffer): 'jpeg' | 'png' | 'gif' | null {
  if (data.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  if (data.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  return null;
}

function decode(data: Buffer): JimpImage {
  const format = sourceFormat(data);
  if (!format) throw new Error('not a JPEG, PNG or GIF image');
  return Jimp.fromBitmap(DECODERS[format].decode(data));
}
