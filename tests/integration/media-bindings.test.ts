import { Container } from 'inversify';
import type { MediaTransformer } from '../../src/application/ports/media-transformer.port';
import { bindMedia, ffmpegAnswers } from '../../src/infrastructure/bindings/media.bindings';
import { binder } from '../../src/infrastructure/binder';
import { ConfigError, loadConfig } from '../../src/infrastructure/config';
import { TOKENS } from '../../src/infrastructure/tokens';

function transformerWith(env: Record<string, string>): MediaTransformer {
  const container = new Container({ defaultScope: 'Singleton' });
  container.bind(TOKENS.Config).toConstantValue(loadConfig(env, { projectRoot: '/srv/visiobook', version: '1.0.0' }));
  bindMedia(binder(container));
  return container.get<MediaTransformer>(TOKENS.MediaTransformer);
}

describe('media bindings', () => {
  it('auto (the default): native ffmpeg when it answers, else ffmpeg.wasm', () => {
    expect(transformerWith({}).name).toBe(ffmpegAnswers() ? 'native-ffmpeg' : 'wasm-ffmpeg');
  });

  it('MEDIA_ENGINE picks one whatever the machine says', () => {
    expect(transformerWith({ MEDIA_ENGINE: 'native' }).name).toBe('native-ffmpeg');
    expect(transformerWith({ MEDIA_ENGINE: 'wasm' }).name).toBe('wasm-ffmpeg');
  });

  it('refuses an engine it does not have', () => {
    expect(() => transformerWith({ MEDIA_ENGINE: 'gstreamer' })).toThrow(ConfigError);
  });
});
