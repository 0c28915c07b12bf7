import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { MediaOperation, MediaProbe, MediaTransformer } from '../../application/ports/media-transformer.port';
import { TransformationFailed } from '../../domain/storage/errors';
import { parseProbe, requireStreamFor, transformArgs, waveformArgs } from './ffmpeg-args';
import { PeakAccumulator } from './peak-accumulator';

const STDERR_LINES = 8;

interface Run {
  args: string[];
  /** Paths the error message must not reveal beyond their file name. */
  paths: string[];
  onStdout?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

/**
 * The Debian `ffmpeg` and `ffprobe` binaries, spawned without a shell (arguments as an array, so a
 * file name is never interpreted). Progress comes from `-progress pipe:1`, measured against the
 * probed duration.
 */
export class NativeFfmpegMediaTransformer implements MediaTransformer {
  readonly name = 'native-ffmpeg';

  constructor(private readonly binaries: { ffmpeg: string; ffprobe: string } = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }) {}

  async probe(inputPath: string): Promise<MediaProbe> {
    let json = '';
    await this.run(this.binaries.ffprobe, {
      args: ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', inputPath],
      paths: [inputPath],
      onStdout: (c) => (json += c.toString('utf8')),
    });
    const probe = parseProbe(json);
    if (!probe.videoCodec && !probe.audioCodec) throw new TransformationFailed(`${path.basename(inputPath)} has no audio or video stream`);
    return probe;
  }

  async transform(
    inputPath: string,
    outputPath: string,
    operation: MediaOperation,
    options: { onProgress?: (percent: number) => void; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { onProgress, signal } = options;
    signal?.throwIfAborted();
    const probe = await this.probe(inputPath);
    requireStreamFor(operation, probe, path.basename(inputPath));

    const progress = progressParser(probe.durationSeconds, onProgress);
    try {
      await this.run(this.binaries.ffmpeg, {
        args: ['-v', 'error', '-nostdin', '-progress', 'pipe:1', '-stats_period', '0.25', ...transformArgs(inputPath, outputPath, operation, probe)],
        paths: [inputPath, outputPath],
        onStdout: progress.push,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      await rm(outputPath, { force: true });
      throw error;
    }
    progress.finish();
  }

  async waveformPeaks(inputPath: string, points: number): Promise<number[]> {
    if (!Number.isInteger(points) || points < 1) throw new RangeError('points must be a positive whole number');
    const peaks = new PeakAccumulator();
    await this.run(this.binaries.ffmpeg, {
      args: ['-v', 'error', '-nostdin', ...waveformArgs(inputPath)],
      paths: [inputPath],
      onStdout: (c) => peaks.push(c),
    });
    return peaks.peaks(points);
  }

  private run(binary: string, { args, paths, onStdout, signal }: Run): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const stderr: string[] = [];
      let pending = '';
      child.stdout.on('data', (c: Buffer) => onStdout?.(c));
      child.stderr.on('data', (c: Buffer) => {
        const lines = (pending + c.toString('utf8')).split('\n');
        pending = lines.pop() ?? '';
        stderr.push(...lines.filter((l) => l.trim()));
        if (stderr.length > STDERR_LINES) stderr.splice(0, stderr.length - STDERR_LINES);
      });
      const abort = () => child.kill('SIGKILL');
      signal?.addEventListener('abort', abort, { once: true });
      child.on('error', (error) => {
        signal?.removeEventListener('abort', abort);
        reject(new TransformationFailed(`${path.basename(binary)} could not start: ${error.message}`));
      });
      child.on('close', (code) => {
        signal?.removeEventListener('abort', abort);
        if (signal?.aborted) return reject(abortReason(signal));
        if (code === 0) return resolve();
        if (pending.trim()) stderr.push(pending);
        const detail = hidePaths(stderr.slice(-STDERR_LINES).join('\n'), paths);
        reject(new TransformationFailed(`${path.basename(binary)} failed (exit ${code}): ${detail || 'no message'}`));
      });
    });
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The transformation was cancelled', 'AbortError');
}

/** Only file names reach the message: the host's folders are nobody's business. */
function hidePaths(text: string, paths: string[]): string {
  let out = text;
  for (const p of paths) {
    out = out.split(p).join(path.basename(p));
    const dir = path.dirname(p);
    if (dir.length > 1) out = out.split(dir + path.sep).join('');
  }
  return out;
}

/** `out_time_ms` (microseconds, despite the name) against the duration, as a rising 0..100. */
export function progressParser(durationSeconds: number | null, onProgress?: (percent: number) => void) {
  let last = -1;
  let pending = '';
  const emit = (percent: number) => {
    const p = Math.max(0, Math.min(100, Math.floor(percent)));
    if (p > last) {
      last = p;
      onProgress?.(p);
    }
  };
  return {
    push: (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const [key, value] = line.trim().split('=');
        if (key === 'out_time_ms' && durationSeconds && value && /^\d+$/.test(value)) {
          // Kept below 100 until ffmpeg says it has finished writing.
          emit(Math.min(99, (Number(value) / 1e6 / durationSeconds) * 100));
        }
      }
    },
    finish: () => emit(100),
  };
}
