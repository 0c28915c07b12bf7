export type VideoFormat = 'mp4' | 'webm' | 'mov' | 'gif';
export type AudioFormat = 'mp3' | 'aac' | 'ogg';

export type MediaOperation =
  | { kind: 'video'; format: VideoFormat; width?: number; height?: number; videoBitrateKbps?: number }
  | { kind: 'audio'; format: AudioFormat; bitrateKbps: number }
  /** One frame as a PNG, at `atSeconds` (clamped to the duration). */
  | { kind: 'frame'; atSeconds: number; width?: number };

export interface MediaProbe {
  durationSeconds: number | null;
  videoCodec: string | null;
  audioCodec: string | null;
  width: number | null;
  height: number | null;
  bitrateKbps: number | null;
}

/**
 * Audio and video through ffmpeg: the native binaries when present, ffmpeg.wasm otherwise; both
 * adapters pass one contract suite. Works file to file (ffmpeg needs seekable input for many
 * containers); `onProgress` receives 0..100 while working; `signal` cancels (the output is removed).
 */
export interface MediaTransformer {
  readonly name: string;
  probe(inputPath: string): Promise<MediaProbe>;
  transform(inputPath: string, outputPath: string, operation: MediaOperation, options?: { onProgress?: (percent: number) => void; signal?: AbortSignal }): Promise<void>;
  /** Peak amplitudes (0..1), `points` of them, for a waveform. */
  waveformPeaks(inputPath: string, points: number): Promise<number[]>;
}
