import type { Readable } from 'node:stream';

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';

export interface ImageOperation {
  /** Target box; either may be absent (keep proportion from the other). */
  width?: number;
  height?: number;
  /** contain | cover | fill | inside | outside, as sharp names them. */
  fit?: 'contain' | 'cover' | 'fill' | 'inside' | 'outside';
  maintainAspectRatio?: boolean;
  format?: ImageFormat;
  /** 1..100, for lossy formats. */
  quality?: number;
  /** Where cover crops and contain pads: a side or corner (`top-left`), or a smart crop (attention, entropy). Default: center. */
  position?: string;
  /** Never larger than the source (the target is a bound, not a size). */
  withoutEnlargement?: boolean;
  /** Gaussian blur sigma (0.3..1000), after the resize. */
  blur?: number;
  /**
   * Refuse sources with more pixels than this before decoding them (decompression bombs): fails with
   * TransformationFailed whose details.reason is `too_many_pixels`.
   */
  maxInputPixels?: number;
}

/**
 * Image work (resize, format conversion, compression, thumbnails). A sharp adapter (libvips) is the
 * default; a jimp adapter is the pure-JavaScript fallback; both pass one contract suite. A corrupt or
 * unsupported input fails with a domain error (TransformationFailed), never a crash.
 */
export interface ImageTransformer {
  readonly name: string;
  transform(input: Buffer | Readable, operation: ImageOperation): Promise<{ data: Buffer; format: ImageFormat; width: number; height: number }>;
}
