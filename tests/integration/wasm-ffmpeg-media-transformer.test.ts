import { spawnSync } from 'node:child_process';
import { WasmFfmpegMediaTransformer } from '../../src/adapters/media/wasm-ffmpeg-media-transformer';
import { mediaTransformerContract } from '../contract/media-transformer.contract';

// The adapter needs no binary, but the contract suite generates its inputs with the ffmpeg binary.
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
if (hasFfmpeg) {
  mediaTransformerContract('WasmFfmpegMediaTransformer', async () => ({ transformer: new WasmFfmpegMediaTransformer() }));
} else {
  it.skip('WasmFfmpegMediaTransformer: the suite builds its inputs with the ffmpeg binary, absent here', () => undefined);
}
