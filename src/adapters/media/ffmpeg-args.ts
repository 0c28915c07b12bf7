import { TransformationFailed } from '../../domain/storage/errors';
import type { MediaOperation, MediaProbe } from '../../application/ports/media-transformer.port';

/**
 * ffmpeg arguments for one operation, independent of how ffmpeg runs (native process or wasm).
 * The muxer is always named (`-f`), so the output file's name, or lack of an extension, never
 * decides the container.
 */
export function transformArgs(input: string, output: string, operation: MediaOperation, probe: MediaProbe): string[] {
  switch (operation.kind) {
    case 'video':
      return ['-i', input, ...videoArgs(operation), '-y', output];
    case 'audio':
      return ['-i', input, ...audioArgs(operation), '-y', output];
    case 'frame': {
      // Seeking past the end gives no frame at all: stay a little before it.
      const last = probe.durationSeconds !== null ? Math.max(0, probe.durationSeconds - 0.1) : operation.atSeconds;
      const at = Math.max(0, Math.min(operation.atSeconds, last));
      const scale = operation.width ? ['-vf', `scale=${evenWidth(operation.width)}:-2`] : [];
      return ['-ss', at.toFixed(3), '-i', input, '-map', '0:v:0', '-frames:v', '1', ...scale, '-c:v', 'png', '-f', 'image2', '-update', '1', '-y', output];
    }
  }
}

type VideoOperation = Extract<MediaOperation, { kind: 'video' }>;
type AudioOperation = Extract<MediaOperation, { kind: 'audio' }>;

function evenWidth(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Keeps the aspect ratio, fits inside the box given, and keeps both sides even (yuv420p needs it). */
export function scaleFilter(width?: number, height?: number): string | null {
  if (width && height) return `scale=${evenWidth(width)}:${evenWidth(height)}:force_original_aspect_ratio=decrease:force_divisible_by=2`;
  if (width) return `scale=${evenWidth(width)}:-2`;
  if (height) return `scale=-2:${evenWidth(height)}`;
  return null;
}

function videoArgs(op: VideoOperation): string[] {
  const scale = scaleFilter(op.width, op.height);
  if (op.format === 'gif') {
    // A palette computed from the clip itself: far better colours than the default 256-colour one.
    const chain = ['fps=10', scale ?? 'scale=iw:-2', 'split[a][b]'].join(',');
    return ['-filter_complex', `[0:v:0]${chain};[a]palettegen[p];[b][p]paletteuse`, '-an', '-f', 'gif'];
  }
  const filters = scale ? ['-vf', scale] : [];
  const rate = op.videoBitrateKbps
    ? ['-b:v', `${op.videoBitrateKbps}k`, '-maxrate', `${op.videoBitrateKbps}k`, '-bufsize', `${op.videoBitrateKbps * 2}k`]
    : [];
  const maps = ['-map', '0:v:0', '-map', '0:a:0?'];
  switch (op.format) {
    case 'mp4':
    case 'mov':
      return [...maps, ...filters, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', ...rate,
        '-c:a', 'aac', '-b:a', '128k', '-movflags', '+faststart', '-f', op.format];
    case 'webm':
      // Without a target bitrate VP9 needs constant-quality mode (-b:v 0 -crf).
      return [...maps, ...filters, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1',
        ...(rate.length > 0 ? rate : ['-b:v', '0', '-crf', '36']), '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-b:a', '96k', '-f', 'webm'];
  }
}

const AUDIO: Record<AudioOperation['format'], { codec: string; muxer: string; rate?: string[] }> = {
  mp3: { codec: 'libmp3lame', muxer: 'mp3' },
  aac: { codec: 'aac', muxer: 'adts' },
  // libvorbis has no bitrate setup for low sample rates ("encoder setup failed" for an 8 kHz source at
  // every bitrate from 64k): its output is resampled to 44.1 kHz, which every bitrate offered supports.
  ogg: { codec: 'libvorbis', muxer: 'ogg', rate: ['-ar', '44100'] },
};

function audioArgs(op: AudioOperation): string[] {
  const { codec, muxer, rate = [] } = AUDIO[op.format];
  return ['-map', '0:a:0', '-vn', '-c:a', codec, '-b:a', `${op.bitrateKbps}k`, ...rate, '-f', muxer];
}

/** Mono signed 16-bit PCM at a low rate, on stdout: enough for a waveform, and small. */
export const WAVEFORM_SAMPLE_RATE = 8_000;
/** Refuses an operation whose stream the input lacks (audio from a silent video, a frame of an MP3). */
export function requireStreamFor(operation: MediaOperation, probe: MediaProbe, fileName: string): void {
  const needed = operation.kind === 'audio' ? 'audio' : 'video';
  if (!(needed === 'audio' ? probe.audioCodec : probe.videoCodec)) throw new TransformationFailed(`${fileName} has no ${needed} stream`);
}

export function waveformArgs(input: string): string[] {
  return ['-i', input, '-map', '0:a:0', '-vn', '-ac', '1', '-ar', String(WAVEFORM_SAMPLE_RATE), '-c:a', 'pcm_s16le', '-f', 's16le', 'pipe:1'];
}

/** The probe's JSON (`-print_format json -show_format -show_streams`) reduced to what the port says. */
export function parseProbe(json: string): MediaProbe {
  const data = JSON.parse(json) as {
    format?: { duration?: string; bit_rate?: string };
    streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; disposition?: { attached_pic?: number } }[];
  };
  const streams = data.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audio = streams.find((s) => s.codec_type === 'audio');
  const number = (v: string | undefined) => (v !== undefined && Number.isFinite(Number(v)) ? Number(v) : null);
  const duration = number(data.format?.duration);
  const bitrate = number(data.format?.bit_rate);
  return {
    durationSeconds: duration,
    videoCodec: video?.codec_name ?? null,
    audioCodec: audio?.codec_name ?? null,
    width: video?.width ?? null,
    height: video?.height ?? null,
    bitrateKbps: bitrate !== null ? Math.round(bitrate / 1000) : null,
  };
}
