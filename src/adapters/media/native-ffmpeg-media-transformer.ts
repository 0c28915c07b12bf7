import { spawn } from 'node:child_process';
import path from 'node:path';
import type { MediaProbe } from '../../application/ports/media-transformer.port';
import { TransformationFailed } from '../../domain/storage/errors';
import { parseProbe, transformArgs, waveformArgs } from './ffmpeg-args';
import { PeakAccumulator } from './peak-accumulator';
import { abortReason, assertPeakPoints, FfmpegMediaTransformer, lineSplitter, type EncodeJob } from './ffmpeg-media-transformer';

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
export class NativeFfmpegMediaTransformer extends FfmpegMediaTransformer {
  readonly name = 'native-ffmpeg';

  constructor(private readonly binaries: { ffmpeg: string; ffprobe: string } = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }) {
    super();
  }

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

  protected encode({ inputPath, outputPath, operation, probe, signal }: EncodeJob, progress: (percent: number) => void): Promise<void> {
    return this.run(this.binaries.ffmpeg, {
      args: ['-v', 'error', '-nostdin', '-progress', 'pipe:1', '-stats_period', '0.25', ...transformArgs(inputPath, outputPath, operation, probe)],
      paths: [inputPath, outputPath],
      onStdout: progressParser(probe.durationSeconds, progress),
      ...(signal ? { signal } : {}),
    });
  }

  async waveformPeaks(inputPath: string, points: number): Promise<number[]> {
    assertPeakPoints(points);
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
      const stderrLines = lineSplitter((line) => {
        if (line.trim()) stderr.push(line);
        if (stderr.length > STDERR_LINES) stderr.splice(0, stderr.length - STDERR_LINES);
      });
      child.stdout.on('data', (c: Buffer) => onStdout?.(c));
      child.stderr.on('data', stderrLines.push);
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
        if (stderrLines.rest().trim()) stderr.push(stderrLines.rest());
        const detail = hidePaths(stderr.slice(-STDERR_LINES).join('\n'), paths);
        reject(new TransformationFailed(`${path.basename(binary)} failed (exit ${code}): ${detail || 'no message'}`));
      });
    });
  }
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

/** `out_time_ms` (microseconds, despite the name) of `-progress pipe:1` against the duration, as a percent. */
export function progressParser(durationSeconds: number | null, onPercent: (percent: number) => void): (chunk: Buffer) => void {
  return lineSplitter((line) => {
    const [key, value] = line.trim().split('=');
    if (key === 'out_time_ms' && durationSeconds && value && /^\d+$/.test(value)) onPercent((Number(value) / 1e6 / durationSeconds) * 100);
  }).push;
}
