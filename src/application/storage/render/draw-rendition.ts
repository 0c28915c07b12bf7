import type { Readable } from 'node:stream';
import { UnsupportedTransformation, TransformationFailed } from '../../../domain/storage/errors';
import { sanitizeFileName } from '../../../domain/storage/file-path';
import type { RenditionFormat, RenditionSpec } from '../../../domain/storage/rendition';
import { kindOf, type StoredFile } from '../../../domain/storage/stored-file';
import type { DocumentRenderer } from '../../ports/document-renderer.port';
import type { ImageTransformer } from '../../ports/image-transformer.port';
import type { MediaTransformer } from '../../ports/media-transformer.port';
import type { ObjectStore } from '../../ports/object-store.port';
import type { ScratchFolders } from '../../ports/scratch-folders.port';
import type { FileContent } from '../encryption/file-content';

export interface RenderEngines {
  image: ImageTransformer;
  /** Video poster frames (ffmpeg); null: videos are refused with 422. */
  media: MediaTransformer | null;
  /** First pages of PDFs; null: PDFs are refused with 422. */
  pages: DocumentRenderer | null;
  scratch: ScratchFolders;
}

/** How a source becomes pixels: decoded, a poster frame of a video, or the first page of a PDF. */
export type RenderSource = 'image' | 'video' | 'page';

/** Pages are drawn at twice the rendition's size for a sharper downscale, within what a canvas should hold. */
const MAX_PAGE_WIDTH = 2_048;
const DEFAULT_PAGE_WIDTH = 1_024;

/** Which path renders `file`, or UnsupportedTransformation (422) when none does. */
export function renderSourceOf(file: StoredFile, engines: Pick<RenderEngines, 'media' | 'pages'>): RenderSource {
  const kind = kindOf(file.mimeType);
  const refuse = (why: string) => new UnsupportedTransformation(why, { mime_type: file.mimeType });
  // SVG is a document that may reference other resources: never rasterized on request.
  if (kind === 'image' && file.mimeType !== 'image/svg+xml') return 'image';
  if (kind === 'video') {
    if (!engines.media) throw refuse('Rendering a video frame needs the media engine (ffmpeg), which this service does not have');
    return 'video';
  }
  if (engines.pages?.accepts.includes(file.mimeType) && file.mimeType === 'application/pdf') return 'page';
  throw refuse(`Only images, videos and PDFs can be rendered, not ${file.mimeType}`);
}

/** The pixels of a rendition, through the image engine (the same pipeline for every source). */
export class DrawRendition {
  constructor(
    private readonly engines: RenderEngines,
    private readonly store: ObjectStore,
    private readonly content: FileContent | null,
    private readonly maxInputPixels: number,
  ) {}

  /**
   * `bound` runs the drawing itself (a frame or a page taken, then the image engine), the part a
   * process does a few of at once; an image's source is read before it, so reads overlap drawings.
   */
  async draw(
    file: StoredFile, source: RenderSource, spec: RenditionSpec, format: RenditionFormat,
    bound: <T>(work: () => Promise<T>) => Promise<T> = (work) => work(),
  ): Promise<{ data: Buffer; width: number; height: number }> {
    // A video is streamed to ffmpeg's scratch folder within the drawing; images and PDFs are read whole first.
    const bytes = source === 'video' ? null : await readAll(await this.read(file));
    return bound(async () => {
      const picture = source === 'video' ? await this.posterFrame(file, spec.frame ?? 1) : source === 'page' ? await this.firstPage(bytes!, spec) : bytes!;
      return this.pixels(picture, spec, format);
    });
  }

  private async pixels(picture: Buffer, spec: RenditionSpec, format: RenditionFormat): Promise<{ data: Buffer; width: number; height: number }> {
    const result = await this.engines.image.transform(picture, {
      ...(spec.width !== null ? { width: spec.width } : {}),
      ...(spec.height !== null ? { height: spec.height } : {}),
      fit: spec.fit,
      // inside is a bound (previews): a small source is not blown up to it.
      ...(spec.fit === 'inside' ? { withoutEnlargement: true } : {}),
      ...(spec.position !== 'center' ? { position: spec.position } : {}),
      ...(spec.blur !== null ? { blur: spec.blur } : {}),
      format,
      quality: spec.quality,
      maxInputPixels: this.maxInputPixels,
    });
    // Never an empty rendition in the cache (a codec that wrote nothing is a failure, not an image).
    if (result.data.length === 0) throw new TransformationFailed('The image engine produced no bytes', { reason: 'empty_output' });
    return result;
  }

  private read(file: StoredFile): Promise<Readable> {
    return this.content ? this.content.read(file) : this.store.get(file.filePath);
  }

  /** ffmpeg works file to file: the video streamed into a private scratch folder, the frame read back as PNG. */
  private async posterFrame(file: StoredFile, atSeconds: number): Promise<Buffer> {
    const media = this.engines.media!;
    return this.engines.scratch.use(async (folder) => {
      const { extension } = sanitizeFileName(file.originalName);
      const input = await folder.write(extension ? `input.${extension}` : 'input', await this.read(file));
      const output = folder.pathOf('frame.png');
      try {
        await media.transform(input, output, { kind: 'frame', atSeconds });
      } catch (error) {
        if (error instanceof TransformationFailed) throw error;
        throw new TransformationFailed(`No frame could be taken from the video: ${(error as Error).message}`, { reason: 'unreadable' });
      }
      return readAll(folder.read(output));
    });
  }

  private async firstPage(pdf: Buffer, spec: RenditionSpec): Promise<Buffer> {
    const wanted = Math.max(spec.width ?? 0, spec.height ?? 0);
    const width = wanted === 0 ? DEFAULT_PAGE_WIDTH : Math.min(MAX_PAGE_WIDTH, Math.max(256, 2 * wanted));
    return this.engines.pages!.renderFirstPage(pdf, { width });
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}
