import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { MediaTransformer } from '../../src/application/ports/media-transformer.port';
import { TransformationFailed } from '../../src/domain/storage/errors';

export interface MediaTransformerUnderTest {
  transformer: MediaTransformer;
  /** What this adapter genuinely cannot do, with the reason (the test is skipped and says why). */
  cannot?: Partial<Record<'cancel', string>>;
  close?(): Promise<void>;
}

/** Generates the inputs with the ffmpeg binary: a test pattern with a sine tone, and nothing stored. */
function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args]);
  if (r.status !== 0) throw new Error(`ffmpeg could not build a test input: ${r.stderr?.toString()}`);
}

function clip(out: string, seconds: number, size = '640x360'): void {
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=${size}:rate=25:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1500k', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', '-shortest', out]);
}

async function exists(p: string): Promise<boolean> {
  return fs.stat(p).then(() => true, () => false);
}

/** What every MediaTransformer promises, native ffmpeg or ffmpeg.wasm. */
export function mediaTransformerContract(name: string, make: () => Promise<MediaTransformerUnderTest>): void {
  describe(`${name} (MediaTransformer contract)`, () => {
    let s: MediaTransformerUnderTest;
    let t: MediaTransformer;
    let dir: string;
    let video: string;
    let longVideo: string;
    let tone: string;
    const out = (leaf: string) => path.join(dir, leaf);

    beforeAll(async () => {
      s = await make();
      t = s.transformer;
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vb-media-'));
      video = out('input.mp4');
      longVideo = out('long.mp4');
      tone = out('tone.wav');
      clip(video, 3);
      clip(longVideo, 20);
      ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2', tone]);
    }, 60_000);
    afterAll(async () => {
      await s?.close?.();
      if (dir) await fs.rm(dir, { recursive: true, force: true });
    });

    it('probes duration, codecs, size and bitrate', async () => {
      const p = await t.probe(video);
      expect(p.durationSeconds).toBeGreaterThan(2.8);
      expect(p.durationSeconds).toBeLessThan(3.3);
      expect(p).toMatchObject({ videoCodec: 'h264', audioCodec: 'aac', width: 640, height: 360 });
      expect(p.bitrateKbps).toBeGreaterThan(0);
    });

    it.each([
      ['webm', 'vp9', 'opus'],
      ['mov', 'h264', 'aac'],
      ['mp4', 'h264', 'aac'],
    ] as const)('converts mp4 to %s', async (format, videoCodec, audioCodec) => {
      const target = out(`converted.${format}`);
      await t.transform(video, target, { kind: 'video', format });
      const p = await t.probe(target);
      expect(p).toMatchObject({ videoCodec, audioCodec, width: 640, height: 360 });
      expect(p.durationSeconds).toBeGreaterThan(2.5);
    }, 60_000);

    it('converts to an animated gif (palette), without sound', async () => {
      const target = out('anim.gif');
      await t.transform(video, target, { kind: 'video', format: 'gif', width: 160 });
      const head = (await fs.readFile(target)).subarray(0, 6).toString('ascii');
      expect(head).toBe('GIF89a');
      expect(await t.probe(target)).toMatchObject({ videoCodec: 'gif', audioCodec: null, width: 160, height: 90 });
    }, 60_000);

    it('resizes to 320 wide, keeping the aspect ratio and even sides', async () => {
      const target = out('small.mp4');
      await t.transform(video, target, { kind: 'video', format: 'mp4', width: 320 });
      expect(await t.probe(target)).toMatchObject({ width: 320, height: 180 });

      const odd = out('odd.mp4');
      await t.transform(video, odd, { kind: 'video', format: 'mp4', width: 301, height: 301 });
      const p = await t.probe(odd);
      expect(p.width! % 2).toBe(0);
      expect(p.height! % 2).toBe(0);
      expect(p.width).toBeLessThanOrEqual(302);
      expect(Math.abs(p.width! / p.height! - 16 / 9)).toBeLessThan(0.05);
    }, 60_000);

    it('lowers the video bitrate when asked', async () => {
      const target = out('low.mp4');
      await t.transform(video, target, { kind: 'video', format: 'mp4', videoBitrateKbps: 200 });
      const before = await t.probe(video);
      const after = await t.probe(target);
      expect(after.bitrateKbps!).toBeLessThan(before.bitrateKbps!);
      expect(after.bitrateKbps!).toBeLessThan(500);
    }, 60_000);

    it.each([128, 320])('encodes mp3 at %ik', async (kbps) => {
      const target = out(`audio-${kbps}.mp3`);
      await t.transform(video, target, { kind: 'audio', format: 'mp3', bitrateKbps: kbps });
      const p = await t.probe(target);
      expect(p).toMatchObject({ audioCodec: 'mp3', videoCodec: null });
      expect(Math.abs(p.bitrateKbps! - kbps)).toBeLessThanOrEqual(kbps * 0.05);
    });

    it.each([
      ['aac', 'aac'],
      ['ogg', 'vorbis'],
    ] as const)('encodes %s audio', async (format, audioCodec) => {
      const target = out(`audio.${format}`);
      await t.transform(tone, target, { kind: 'audio', format, bitrateKbps: 128 });
      const p = await t.probe(target);
      expect(p).toMatchObject({ audioCodec, videoCodec: null });
      expect(p.durationSeconds).toBeGreaterThan(1.5);
    });

    // An 8 kHz recording (a phone call, a voice memo) at the default bitrate: libvorbis alone has no setup for it.
    // (Not aac: ADTS carries no duration, and probes estimate it from a bitrate 8 kHz AAC cannot reach.)
    it.each([
      ['mp3', 'mp3'],
      ['ogg', 'vorbis'],
    ] as const)('encodes %s audio from an 8 kHz source at 192k', async (format, audioCodec) => {
      const source = out('tone-8k.wav');
      if (!(await exists(source))) ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000:duration=2', source]);
      const target = out(`audio-8k.${format}`);
      await t.transform(source, target, { kind: 'audio', format, bitrateKbps: 192 });
      const p = await t.probe(target);
      expect(p).toMatchObject({ audioCodec, videoCodec: null });
      expect(p.durationSeconds).toBeGreaterThan(1.5);
    });

    it('takes a frame as a PNG, at a time clamped to the duration', async () => {
      const target = out('frame.png');
      await t.transform(video, target, { kind: 'frame', atSeconds: 1, width: 320 });
      const png = await fs.readFile(target);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.readUInt32BE(16)).toBe(320);

      const late = out('late.png');
      await t.transform(video, late, { kind: 'frame', atSeconds: 999 });
      expect((await fs.readFile(late)).readUInt32BE(16)).toBe(640);
    });

    it('gives waveform peaks: as many as asked, within 0..1, non-zero for a tone', async () => {
      const peaks = await t.waveformPeaks(tone, 100);
      expect(peaks).toHaveLength(100);
      for (const v of peaks) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(peaks.filter((v) => v > 0.05).length).toBeGreaterThan(90);
      expect(await t.waveformPeaks(video, 7)).toHaveLength(7);
    });

    it('reports progress rising to 100', async () => {
      const seen: number[] = [];
      await t.transform(video, out('progress.webm'), { kind: 'video', format: 'webm', width: 320 }, { onProgress: (p) => seen.push(p) });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[seen.length - 1]).toBe(100);
      for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThan(seen[i - 1]!);
    }, 60_000);

    it('stops when cancelled, leaving no output file', async () => {
      if (s.cannot?.cancel) return console.warn(`skipped: ${s.cannot.cancel}`);
      const target = out('cancelled.webm');
      const controller = new AbortController();
      let started = false;
      const job = t.transform(longVideo, target, { kind: 'video', format: 'webm' }, {
        signal: controller.signal,
        onProgress: (p) => {
          if (p > 0 && !started) {
            started = true;
            controller.abort();
          }
        },
      });
      await expect(job).rejects.toThrow();
      expect(started).toBe(true);
      expect(await exists(target)).toBe(false);
    }, 60_000);

    it('refuses an already cancelled signal without writing anything', async () => {
      const target = out('never.mp4');
      await expect(t.transform(video, target, { kind: 'video', format: 'mp4' }, { signal: AbortSignal.abort() })).rejects.toThrow();
      expect(await exists(target)).toBe(false);
    });

    it('fails with TransformationFailed on corrupt input, naming no host folder and leaving no output', async () => {
      const corrupt = out('corrupt.mp4');
      await fs.writeFile(corrupt, randomBytes(64 * 1024));
      const target = out('from-corrupt.webm');
      const failure = await t.transform(corrupt, target, { kind: 'video', format: 'webm' }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(TransformationFailed);
      expect((failure as Error).message).not.toContain(dir);
      expect(await exists(target)).toBe(false);
      await expect(t.probe(corrupt)).rejects.toBeInstanceOf(TransformationFailed);
      await expect(t.waveformPeaks(corrupt, 10)).rejects.toBeInstanceOf(TransformationFailed);
    });

    it('fails with TransformationFailed when asked for audio from a silent video', async () => {
      const silent = out('silent.mp4');
      ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=10:duration=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', silent]);
      await expect(t.transform(silent, out('none.mp3'), { kind: 'audio', format: 'mp3', bitrateKbps: 128 })).rejects.toBeInstanceOf(TransformationFailed);
      expect(await exists(out('none.mp3'))).toBe(false);
    });
  });
}
