import { encodePng } from './png-encoder';

export interface WaveformImageOptions {
  width?: number;
  height?: number;
  /** RGBA, 0..255 each. */
  color?: [number, number, number, number];
  background?: [number, number, number, number];
}

/**
 * Peaks (0..1) drawn as a symmetric waveform in a PNG. Written with node:zlib (deflate and crc32)
 * rather than a PNG package: one small image format, no dependency to keep.
 */
export function renderWaveformPng(peaks: number[], options: WaveformImageOptions = {}): Buffer {
  const width = options.width ?? Math.max(1, peaks.length);
  const height = options.height ?? 64;
  const color = options.color ?? [33, 99, 201, 255];
  const background = options.background ?? [0, 0, 0, 0];
  const stride = 1 + width * 4;
  const pixels = Buffer.alloc(stride * height);
  const middle = (height - 1) / 2;
  for (let x = 0; x < width; x++) {
    const peak = peaks.length > 0 ? Math.max(0, Math.min(1, peaks[Math.floor((x * peaks.length) / width)] ?? 0)) : 0;
    const half = Math.max(0.5, peak * middle);
    for (let y = 0; y < height; y++) {
      const inside = Math.abs(y - middle) <= half;
      pixels.set(inside ? color : background, y * stride + 1 + x * 4);
    }
  }
  return encodePng(width, height, 6, pixels);
}
