import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { MediaOperation, MediaProbe, MediaTransformer } from '../../application/ports/media-transformer.port';
import { requireStreamFor } from './ffmpeg-args';

export interface TransformOptions {
  onProgress?: (percent: number) => void;
  signal?: AbortSignal;
}

/** One encode: the input, what to make of it, where, and the input's probe. */
export interface EncodeJob {
  inputPath: string;
  outputPath: string;
  operation: MediaOperation;
  probe: MediaProbe;
  signal?: AbortSignal;
}

/**
 * What the ffmpeg builds (native binaries, ffmpeg.wasm) share: transform probes, refuses an operation
 * the input has no stream for, encodes, and removes the partial output of an encode that failed or
 * was cancelled. Progress only rises, and stays below 100 until the encode has returned. A build
 * brings how it probes, encodes and reads waveform peaks.
 */
export abstract class FfmpegMediaTransformer implements MediaTransformer {
  abstract readonly name: string;
  abstract probe(inputPath: string): Promise<MediaProbe>;
  abstract waveformPeaks(inputPath: string, points: number): Promise<number[]>;
  /** Writes the output, telling `progress` how far it is (0..100) as often as it can. */
  protected abstract encode(job: EncodeJob, progress: (percent: number) => void): Promise<void>;

  async transform(inputPath: string, outputPath: string, operation: MediaOperation, options: TransformOptions = {}): Promise<void> {
    const { onProgress, signal } = options;
    signal?.throwIfAborted();
    const probe = await this.probe(inputPath);
    requireStreamFor(operation, probe, path.basename(inputPath));
    const report = risingPercent(onProgress);
    try {
      await this.encode({ inputPath, outputPath, operation, probe, ...(signal ? { signal } : {}) }, (percent) => report(Math.min(99, percent)));
    } catch (error) {
      await rm(outputPath, { force: true });
      throw error;
    }
    report(100);
  }
}

/** Whole percents from 0 to 100, each passed on once and never one lower than the last. */
function risingPercent(onProgress?: (percent: number) => void): (percent: number) => void {
  let last = -1;
  return (percent) => {
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    if (p > last) {
      last = p;
      onProgress?.(p);
    }
  };
}

/** What a killed ffmpeg rejects with: the signal's own reason (a timeout, a cancel), as fetch does. */
export function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The transformation was cancelled', 'AbortError');
}

export function assertPeakPoints(points: number): void {
  if (!Number.isInteger(points) || points < 1) throw new RangeError('points must be a positive whole number');
}

/** Feeds whole lines of a child's output to `onLine`, keeping a partial last line for the next chunk. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; rest(): string } {
  let pending = '';
  return {
    push: (chunk) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    rest: () => pending,
  };
}
