import { encode } from 'blurhash';
import sharp from 'sharp';
import type { Readable } from 'node:stream';
import type { ExtractedMetadata } from '../../application/ports/file-repository.port';
import type { MetadataExtractor } from '../../application/ports/metadata-extractor.port';

/** Bigger images are stored without a placeholder rather than decoded whole at upload. */
const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
const MAX_SOURCE_PIXELS = 100_000_000;

/**
 * `placeholder` metadata of raster images (issue 15): a BlurHash (4×3 components, from a 32-pixel
 * thumbnail) and the dominant colour (sharp's stats), so clients paint something before the first
 * byte of the image arrives. Best effort: an image sharp cannot read simply gets none.
 */
export class SharpPlaceholderExtractor implements MetadataExtractor {
  async extract(file: { mimeType: string; sizeBytes: number }, open: () => Promise<Readable>): Promise<ExtractedMetadata[]> {
    if (!file.mimeType.startsWith('image/') || file.mimeType === 'image/svg+xml' || file.sizeBytes > MAX_SOURCE_BYTES) return [];
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of await open()) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      return [await placeholderOf(Buffer.concat(chunks))];
    } catch {
      return [];
    }
  }
}

/** The `placeholder` metadata of a picture (an image, or a video's poster frame): BlurHash and dominant colour. */
export async function placeholderOf(picture: Buffer): Promise<ExtractedMetadata> {
  const small = sharp(picture, { limitInputPixels: MAX_SOURCE_PIXELS, animated: false }).rotate().resize(32, 32, { fit: 'inside' });
  const [{ data, info }, stats] = await Promise.all([small.clone().ensureAlpha().raw().toBuffer({ resolveWithObject: true }), small.clone().stats()]);
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  const { r, g, b } = stats.dominant;
  return {
    type: 'placeholder',
    data: { blurhash: encode(new Uint8ClampedArray(data), info.width, info.height, 4, 3), dominant_color: `#${hex(r)}${hex(g)}${hex(b)}` },
  };
}

/** Several extractors' findings together; one that throws loses only its own. */
export class CombinedMetadataExtractor implements MetadataExtractor {
  constructor(private readonly extractors: MetadataExtractor[]) {}

  async extract(file: { mimeType: string; sizeBytes: number }, open: () => Promise<Readable>): Promise<ExtractedMetadata[]> {
    const found = await Promise.all(this.extractors.map((e) => e.extract(file, open).catch(() => [] as ExtractedMetadata[])));
    return found.flat();
  }
}
