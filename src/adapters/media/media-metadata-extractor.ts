import { Transform, type Readable, type TransformCallback } from 'node:stream';
import exifr from 'exifr';
import { imageSize } from 'image-size';
import { parseStream } from 'music-metadata';
import { PDFDocument } from 'pdf-lib';
import type { ExtractedMetadata } from '../../application/ports/file-repository.port';
import type { MetadataExtractor } from '../../application/ports/metadata-extractor.port';

/** Dimensions and EXIF sit near the start of an image; more is never read. */
const IMAGE_HEAD_BYTES = 1024 * 1024;
const EXACT_DURATION_MAX_BYTES = 64 * 1024 * 1024;
/** pdf-lib parses whole documents in memory; bigger PDFs are stored without document metadata. */
const PDF_MAX_BYTES = 50 * 1024 * 1024;

/**
 * image-size + exifr for images, music-metadata (v7, CommonJS) for audio and video containers it
 * knows (MP3, WAV, Ogg, MP4/MOV, WebM), pdf-lib for PDF. Without sharp or ffprobe on this machine:
 * a video music-metadata cannot parse simply gets no media metadata.
 */
export class MediaMetadataExtractor implements MetadataExtractor {
  async extract(file: { mimeType: string; sizeBytes: number }, open: () => Promise<Readable>): Promise<ExtractedMetadata[]> {
    const { mimeType, sizeBytes } = file;
    if (mimeType.startsWith('image/')) return this.image(await readUpTo(await open(), IMAGE_HEAD_BYTES));
    if (mimeType.startsWith('audio/') || mimeType.startsWith('video/')) return this.media(await open(), mimeType, sizeBytes);
    if (mimeType === 'application/pdf' && sizeBytes <= PDF_MAX_BYTES) return this.pdf(await readUpTo(await open(), PDF_MAX_BYTES));
    return [];
  }

  private async image(head: Buffer): Promise<ExtractedMetadata[]> {
    const found: ExtractedMetadata[] = [];
    const size = imageSize(head);
    if (size.width && size.height) found.push({ type: 'dimensions', data: { width: size.width, height: size.height } });
    const exif = await exifr.parse(head, { tiff: true, exif: true, gps: true }).catch(() => undefined);
    if (exif && typeof exif === 'object') {
      const data = compact({
        camera: [exif.Make, exif.Model].filter(Boolean).join(' ') || undefined,
        iso: exif.ISO,
        aperture: typeof exif.FNumber === 'number' ? `f/${exif.FNumber}` : undefined,
        exposure_time: exif.ExposureTime,
        focal_length_mm: exif.FocalLength,
        taken_at: exif.DateTimeOriginal instanceof Date ? exif.DateTimeOriginal.toISOString() : undefined,
        latitude: exif.latitude,
        longitude: exif.longitude,
      });
      if (Object.keys(data).length > 0) found.push({ type: 'exif', data });
    }
    return found;
  }

  private async media(stream: Readable, mimeType: string, size: number): Promise<ExtractedMetadata[]> {
    try {
      // An exact duration may mean reading every frame; past this size the header's estimate will do.
      // music-metadata 7's stream reader fails on a chunk larger than its read (a whole in-memory object, a big SDK chunk).
      const small = stream.pipe(new SmallChunks(16 * 1024));
      stream.once('error', (error) => small.destroy(error));
      const { format } = await parseStream(small, { mimeType, size }, { duration: size <= EXACT_DURATION_MAX_BYTES, skipCovers: true });
      const data = compact({
        duration_seconds: format.duration,
        codec: format.codec,
        container: format.container,
        bitrate: format.bitrate,
        sample_rate: format.sampleRate,
        channels: format.numberOfChannels,
      });
      return Object.keys(data).length > 0 ? [{ type: 'media', data }] : [];
    } finally {
      stream.destroy();
    }
  }

  private async pdf(bytes: Buffer): Promise<ExtractedMetadata[]> {
    const doc = await PDFDocument.load(bytes, { ignoreEncryption: true, updateMetadata: false });
    const data = compact({ pages: doc.getPageCount(), title: doc.getTitle(), author: doc.getAuthor(), subject: doc.getSubject() });
    return [{ type: 'document', data }];
  }
}

async function readUpTo(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      chunks.push(buffer.subarray(0, limit - length));
      length += Math.min(buffer.length, limit - length);
      if (length >= limit) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined && v !== null && v !== '' && !Number.isNaN(v)));
}

/** Splits chunks to at most `max` bytes. */
class SmallChunks extends Transform {
  constructor(private readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let at = 0; at < chunk.length; at += this.max) this.push(chunk.subarray(at, at + this.max));
    callback();
  }
}
