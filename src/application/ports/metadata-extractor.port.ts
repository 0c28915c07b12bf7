import type { Readable } from 'node:stream';
import type { ExtractedMetadata } from './file-repository.port';

/**
 * Reads what a stored file says about itself (image dimensions and EXIF, audio/video duration, codec
 * and bitrate, PDF pages, title and author). `open` reads the stored object back, so extraction never
 * needs the upload's bytes in memory. May throw: callers treat extraction as best effort.
 */
export interface MetadataExtractor {
  extract(file: { mimeType: string; sizeBytes: number }, open: () => Promise<Readable>): Promise<ExtractedMetadata[]>;
}
