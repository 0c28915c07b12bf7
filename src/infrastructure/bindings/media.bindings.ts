import { spawnSync } from 'node:child_process';
import type { MediaTransformer } from '../../application/ports/media-transformer.port';
import { NativeFfmpegMediaTransformer } from '../../adapters/media/native-ffmpeg-media-transformer';
import { WasmFfmpegMediaTransformer } from '../../adapters/media/wasm-ffmpeg-media-transformer';
import type { Config } from '../config';
import type { Bind } from '../binder';
import { TOKENS } from '../tokens';

let nativeAnswers: boolean | undefined;

/** Asked once per process, and only when first needed: containers are built many times in tests. */
export function ffmpegAnswers(): boolean {
  nativeAnswers ??= spawnSync('ffmpeg', ['-version'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
  return nativeAnswers;
}

/** The audio/video port: native ffmpeg when it answers (or MEDIA_ENGINE=native), else ffmpeg.wasm (about 7x slower). */
export function bindMedia(bind: Bind): void {
  bind(
    TOKENS.MediaTransformer,
    (config: Config): MediaTransformer => {
      const engine = config.media.engine;
      return engine === 'native' || (engine === 'auto' && ffmpegAnswers()) ? new NativeFfmpegMediaTransformer() : new WasmFfmpegMediaTransformer();
    },
    [TOKENS.Config],
  );
}
