import type { Readable } from 'node:stream';
import type { ExtractedMetadata } from '../../application/ports/file-repository.port';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import type { MetadataExtractor } from '../../application/ports/metadata-extractor.port';
import type { ScratchFolders } from '../../application/ports/scratch-folders.port';
import { placeholderOf } from '../image/sharp-placeholder-extractor';

/** The poster's moment, as the render route's default `frame` (clamped to short videos' duration). */
const POSTER_AT_SECONDS = 1;
/** Frames are taken small: a BlurHash is computed from 32 pixels. */
const FRAME_WIDTH = 128;
/**
 * ffmpeg needs a seekable copy of the video: above this size the upload is not made to wait for
 * one, and the video is stored without a placeholder (its poster is still rendered on request).
 */
export const MAX_POSTER_SOURCE_BYTES = 256 * 1024 * 1024;

/**
 * `placeholder` metadata of videos (issue 15): a BlurHash and dominant colour of their poster frame,
 * the same as images get, so a client paints the poster's colours before the video or its thumbnail
 * arrives. Best effort: a video ffmpeg cannot read, or one without a video stream, gets none.
 */
export class VideoPosterPlaceholderExtractor implements MetadataExtractor {
  constructor(
    private readonly media: MediaTransformer,
    private readonly scratch: ScratchFolders,
    private readonly maxSourceBytes = MAX_POSTER_SOURCE_BYTES,
  ) {}

  async extract(file: { mimeType: string; sizeBytes: number }, open: () => Promise<Readable>): Promise<ExtractedMetadata[]> {
    if (!file.mimeType.startsWith('video/') || file.sizeBytes > this.maxSourceBytes) return [];
    try {
      const frame = await this.scratch.use(async (folder) => {
        const input = await folder.write('input', await open());
        const output = folder.pathOf('poster.png');
        await this.media.transform(input, output, { kind: 'frame', atSeconds: POSTER_AT_SECONDS, width: FRAME_WIDTH });
        const chunks: Buffer[] = [];
        for await (const chunk of folder.read(output)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
        return Buffer.concat(chunks);
      });
      return [await placeholderOf(frame)];
    } catch {
      return [];
    }
  }
}
