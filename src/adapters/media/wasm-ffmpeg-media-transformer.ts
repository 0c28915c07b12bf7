import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { MediaProbe } from '../../application/ports/media-transformer.port';
import { TransformationFailed } from '../../domain/storage/errors';
import { transformArgs, waveformArgs } from './ffmpeg-args';
import { PeakAccumulator } from './peak-accumulator';
import { abortReason, assertPeakPoints, FfmpegMediaTransformer, lineSplitter, type EncodeJob } from './ffmpeg-media-transformer';

/**
 * ffmpeg.wasm 0.11 (@ffmpeg/ffmpeg 0.11.6 + @ffmpeg/core 0.11.0) for machines without the ffmpeg
 * binary. It loads only when Node's fetch is off (`--no-experimental-fetch`: with fetch present its
 * Emscripten loader tries to fetch the .wasm from a file path), a process-wide flag, so each command
 * runs in a child Node started with that flag. That also makes cancellation real: the child is
 * killed. The child copies the input into the wasm file system and writes the output back.
 * About 7x slower than native; there is no ffprobe, so probing parses `ffmpeg -i`'s report.
 */
const WORKER = String.raw`
const fs = require('fs');
const [ffmpegPath, corePath, input, inName, output, outName, argsJson] = process.argv.slice(1);
const { createFFmpeg } = require(ffmpegPath);
const send = (m) => process.stdout.write(JSON.stringify(m) + '\n');
(async () => {
  const ff = createFFmpeg({ log: false, corePath });
  ff.setLogger(({ message }) => send({ log: message }));
  ff.setProgress(({ ratio }) => send({ ratio }));
  await ff.load();
  ff.FS('writeFile', inName, fs.readFileSync(input));
  await ff.run(...JSON.parse(argsJson));
  if (outName) {
    let data;
    try { data = ff.FS('readFile', outName); } catch { send({ failed: true }); process.exit(3); }
    fs.writeFileSync(output, data);
  }
  process.exit(0);
})().catch((e) => { send({ log: String(e && e.message || e) }); process.exit(2); });
`;

const LOG_LINES = 8;

export class WasmFfmpegMediaTransformer extends FfmpegMediaTransformer {
  readonly name = 'wasm-ffmpeg';

  async probe(inputPath: string): Promise<MediaProbe> {
    const log: string[] = [];
    // `ffmpeg -i x` with no output "fails" by design; its report on the input is what we want.
    await this.run(inputPath, null, (i) => ['-hide_banner', '-i', i], { onLog: (l) => log.push(l), tolerateFailure: true });
    const probe = parseReport(log);
    if (!probe.videoCodec && !probe.audioCodec) {
      throw new TransformationFailed(`${path.basename(inputPath)} has no audio or video stream: ${hidePath(lastLines(log), inputPath)}`);
    }
    return probe;
  }

  protected encode({ inputPath, outputPath, operation, probe, signal }: EncodeJob, progress: (percent: number) => void): Promise<void> {
    // x264 with its default threading deadlocks in this wasm build at some frame sizes (640x360).
    const single = (args: string[]) => [...args.slice(0, -2), '-threads', '1', ...args.slice(-2)];
    return this.run(inputPath, outputPath, (i, o) => ['-nostdin', ...single(transformArgs(i, o!, operation, probe))], {
      onRatio: (r) => progress(r * 100),
      ...(signal ? { signal } : {}),
    });
  }

  /** Decoded to a temporary raw file (8 kHz mono s16le, ~58 MB an hour), then folded into peaks. */
  async waveformPeaks(inputPath: string, points: number): Promise<number[]> {
    assertPeakPoints(points);
    const raw = `${inputPath}.${process.pid}.${Date.now()}.peaks.raw`;
    try {
      await this.run(inputPath, raw, (i, o) => [...waveformArgs(i).slice(0, -1), o!], {});
      const peaks = new PeakAccumulator();
      peaks.push(await readFile(raw));
      return peaks.peaks(points);
    } finally {
      await rm(raw, { force: true });
    }
  }

  private run(
    inputPath: string,
    outputPath: string | null,
    args: (inName: string, outName: string | null) => string[],
    opts: { onLog?: (line: string) => void; onRatio?: (r: number) => void; signal?: AbortSignal; tolerateFailure?: boolean },
  ): Promise<void> {
    const inName = `in${path.extname(inputPath)}`;
    const outName = outputPath ? 'out.bin' : null;
    const argv = [
      '--no-experimental-fetch', '-e', WORKER, require.resolve('@ffmpeg/ffmpeg'), require.resolve('@ffmpeg/core'),
      inputPath, inName, outputPath ?? '', outName ?? '', JSON.stringify(args(inName, outName)),
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      const log: string[] = [];
      const messages = lineSplitter((line) => {
        if (!line.trim()) return;
        const m = JSON.parse(line) as { log?: string; ratio?: number };
        if (m.log !== undefined) {
          opts.onLog?.(m.log);
          log.push(m.log);
          if (log.length > 200) log.splice(0, log.length - LOG_LINES);
        }
        if (typeof m.ratio === 'number') opts.onRatio?.(m.ratio);
      });
      child.stdout.on('data', messages.push);
      child.stderr.resume();
      const abort = () => child.kill('SIGKILL');
      opts.signal?.addEventListener('abort', abort, { once: true });
      child.on('error', (e) => reject(new TransformationFailed(`ffmpeg.wasm could not start: ${e.message}`)));
      child.on('close', (code) => {
        opts.signal?.removeEventListener('abort', abort);
        if (opts.signal?.aborted) return reject(abortReason(opts.signal));
        if (code === 0 || opts.tolerateFailure) return resolve();
        let detail = lastLines(log);
        for (const p of [inputPath, outputPath]) if (p) detail = hidePath(detail, p);
        reject(new TransformationFailed(`ffmpeg.wasm failed (exit ${code}): ${detail || 'no message'}`));
      });
    });
  }
}

function lastLines(log: string[]): string {
  return log.filter((l) => l.trim() && !l.startsWith('FFMPEG_END')).slice(-LOG_LINES).join('\n');
}

function hidePath(text: string, p: string): string {
  return text.split(p).join(path.basename(p));
}

/** The "Input #0" report: Duration/bitrate line and the first video and audio stream lines. */
export function parseReport(lines: string[]): MediaProbe {
  const text = lines.join('\n');
  const input = text.split(/^Output #0|At least one output file/m)[0] ?? text;
  const d = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(input);
  const b = /bitrate: (\d+) kb\/s/.exec(input);
  const video = /Stream #0:\d+.*?: Video: (\w+)[^\n]*?, (\d{2,5})x(\d{2,5})/.exec(input);
  const attached = video && /\(attached pic\)/.test(video[0]);
  const audio = /Stream #0:\d+.*?: Audio: (\w+)/.exec(input);
  return {
    durationSeconds: d ? Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]) : null,
    videoCodec: video && !attached ? video[1]! : null,
    audioCodec: audio ? audio[1]! : null,
    width: video && !attached ? Number(video[2]) : null,
    height: video && !attached ? Number(video[3]) : null,
    bitrateKbps: b ? Number(b[1]) : null,
  };
}
